// One blocking invoke of an action, to its answer: the way every job call from the host reaches OpenWhisk.
import { setTimeout as sleep } from 'node:timers/promises';
import type openwhisk from 'openwhisk';
import { describeOwError, statusCodeOf } from '../../pipeline/ow-error.ts';
import { ActionError, type Answer } from './answer.ts';

export interface InvokeLimits {
  /** 429s retried, with backoff, before giving up (a standalone OpenWhisk allows 60 invokes a minute). */
  throttledRetries: number;
  /**
   * Looks for the activation record of an invoke that outlasted the blocking wait (202), with backoff, while the
   * record is not there yet (404). OpenWhisk writes it when the activation ends; at 5 s apart the default covers an
   * action's longest run (5 minutes).
   */
  pendingLooks: number;
}

export const DEFAULT_INVOKE_LIMITS: InvokeLimits = { throttledRetries: 20, pendingLooks: 70 };

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

const backoff = (attempt: number): number => Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);

/**
 * The action's answer to a blocking invoke. An activation that ended in an application error (`{error, ...}`, HTTP
 * 502) is still an answer: it comes back for the caller to read. Throws an ActionError when no answer could be had.
 */
export async function invokeAction(
  client: openwhisk.Client,
  name: string,
  params: Answer,
  limits: InvokeLimits = DEFAULT_INVOKE_LIMITS,
): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.actions.invoke({ name, params, blocking: true, result: true })) as Answer;
    } catch (err) {
      // The client rejects with `{activationId}` when the blocking wait ran out before the activation ended.
      const pending = (err as { activationId?: unknown } | undefined)?.activationId;
      if (typeof pending === 'string') return activationAnswer(client, name, pending, limits);
      const answer = applicationErrorAnswer(err);
      if (answer) return answer;
      const code = statusCodeOf(err);
      if (code === 404) throw new ActionError(`action ${name} is not deployed here; run \`supercompute deploy\` first`, 404);
      if (code !== 429 || attempt >= limits.throttledRetries) throw new ActionError(`${name}: ${describeOwError(err)}`, code);
      await sleep(backoff(attempt));
    }
  }
}

/** The result inside a 502's activation record: the action ran and answered an error. */
function applicationErrorAnswer(err: unknown): Answer | undefined {
  if (statusCodeOf(err) !== 502) return undefined;
  const result = (err as { error?: { response?: { result?: unknown } } }).error?.response?.result;
  return typeof result === 'object' && result !== null ? (result as Answer) : undefined;
}

async function activationAnswer(client: openwhisk.Client, name: string, activationId: string, limits: InvokeLimits): Promise<Answer> {
  for (let look = 0; ; look++) {
    try {
      const activation = await client.activations.get({ name: activationId });
      return (activation.response?.result ?? {}) as Answer;
    } catch (err) {
      const code = statusCodeOf(err);
      if ((code !== 404 && code !== 429) || look >= limits.pendingLooks) {
        const why = code === 404 ? `no record after ${look + 1} looks` : describeOwError(err);
        throw new ActionError(`${name}: activation ${activationId} outlasted the blocking wait, then ${why}`, code);
      }
    }
    await sleep(backoff(look));
  }
}
