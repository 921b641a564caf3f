// Which OpenWhisk a client talks to (flags or options, `__OW_*`, the wsk property file, defaults), and a client for it.
import openwhisk from 'openwhisk';
import { readWskprops } from './wskprops.ts';
import { GUEST_AUTH } from '../../platform/config.ts';
import { deadlineAgent, type DeadlineOptions } from './api-deadline.ts';

export const DEFAULT_API_HOST = 'http://127.0.0.1:3233';

/** How the host retries its calls: a refused connection is said at once (nothing runs at the API host). */
export const HOST_RETRY = { refusedIsFinal: true } as const;

export interface TargetFlags {
  apihost?: string;
  auth?: string;
  namespace?: string;
  insecure?: boolean;
}

export interface Target {
  apihost: string;
  auth: string;
  namespace: string;
  insecure: boolean;
  /** Where each value came from, for messages: "flag", "env", a property file path, or "default". */
  sources: { apihost: string; auth: string; namespace: string };
}

function pick(candidates: [string | undefined, string][]): [string, string] | undefined {
  for (const [value, source] of candidates) {
    if (value !== undefined && value.trim() !== '') return [value.trim(), source];
  }
  return undefined;
}

/**
 * Each value is taken, separately, from the first of: the flag, `__OW_API_HOST`/`__OW_API_KEY`/`__OW_NAMESPACE`,
 * the wsk property file (WSK_CONFIG_FILE or ~/.wskprops), the embedded platform's defaults.
 */
export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): Target {
  const { path, props } = readWskprops(env);
  const apihost = pick([
    [flags.apihost, 'flag'],
    [env.__OW_API_HOST, 'env'],
    [props.APIHOST, path],
  ]) ?? [DEFAULT_API_HOST, 'default'];
  const auth = pick([
    [flags.auth, 'flag'],
    [env.__OW_API_KEY, 'env'],
    [props.AUTH, path],
  ]) ?? [GUEST_AUTH, 'default'];
  const namespace = pick([
    [flags.namespace, 'flag'],
    [env.__OW_NAMESPACE, 'env'],
    [props.NAMESPACE, path],
  ]) ?? ['_', 'default'];
  const insecure = flags.insecure === true || (env.__OW_IGNORE_CERTS ?? '').toLowerCase() === 'true';
  return {
    apihost: apihost[0],
    auth: auth[0],
    namespace: namespace[0],
    insecure,
    sources: { apihost: apihost[1], auth: auth[1], namespace: namespace[1] },
  };
}

/** A client for the target whose every request has a deadline (host/target/api-deadline.ts), never past `options.deadline`. */
export function createClient(target: Target, options: DeadlineOptions = {}): openwhisk.Client {
  return openwhisk({
    apihost: target.apihost,
    api_key: target.auth,
    namespace: target.namespace,
    ignore_certs: target.insecure,
    agent: deadlineAgent(target.apihost, options),
  });
}

/** True when the API host is this machine, so a Redis on localhost is one the actions can reach too. */
export function isLocalTarget(target: Pick<Target, 'apihost'>): boolean {
  const withScheme = /^[a-z]+:\/\//i.test(target.apihost) ? target.apihost : `https://${target.apihost}`;
  try {
    const host = new URL(withScheme).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}
