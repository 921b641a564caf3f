// The action kinds this platform runs, and the answer for any other: it runs Node.js actions only, in processes
// speaking the nodejs runtime's protocol (no containers, so no blackbox or other languages).
import { type WhiskError, badRequest } from './errors.ts';
import { Messages } from './messages.ts';

export const NODE_KINDS = ['nodejs:18', 'nodejs:20', 'nodejs:22'] as const;
export const DEFAULT_NODE_KIND = 'nodejs:20';

/** `nodejs:default` as OpenWhisk resolves it; any other kind as given. */
export function resolveKind(kind: unknown): unknown {
  return kind === 'nodejs:default' ? DEFAULT_NODE_KIND : kind;
}

export function isNodeKind(kind: unknown): kind is (typeof NODE_KINDS)[number] {
  return typeof kind === 'string' && (NODE_KINDS as readonly string[]).includes(kind);
}

export function unsupportedKind(kind: unknown): WhiskError {
  return badRequest(
    Messages.malformed(
      `kind '${String(kind)}' is not supported by this platform, which runs ` +
        `${['nodejs:default', ...NODE_KINDS, 'sequence'].join(', ')}; actions of other kinds (blackbox, python, …) ` +
        'need an Apache OpenWhisk deployment.',
    ),
  );
}
