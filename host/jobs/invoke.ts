// One blocking invoke of an action, to its answer: the way every job call from the host reaches OpenWhisk.
import { setTimeout as sleep } from 'node:timers/promises';
import type openwhisk from 'openwhisk';
import { describeOwError, statusCodeOf } from '../../pipeline/openwhisk/ow-error.ts';
import { ActionError, ActionNotDeployedError, type Answer } from './answer.ts';

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

export interface InvokeOptions extends Partial<InvokeLimits> {
  /**
   * No answer after this (epoch ms): the call gives up with a transient ActionError (the activation may have been lost,
   * or may still answer later; asking again may help). Absent: bounded by `pendingLooks` alone.
   */
  deadline?: number;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

const backoff = (attempt: number): number => Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);

/**
 * The action's answer to a blocking invoke. An activation that ended in an application error (`{error, ...}`, HTTP
 * 502) is still an answer: it comes back for the caller to read. Throws an ActionError when no answer could be had.
 */
export async function invokeAction(client: openwhisk.Client, name: string, params: Answer, options: InvokeOptions = {}): Promise<Answer> {
  const limits: InvokeLimits = { ...DEFAULT_INVOKE_LIMITS, ...options };
  if (options.deadline === undefined) return answerOf(client, name, params, limits);
  const cut = new AbortController();
  const waitMs = Math.max(0, options.deadline - Date.now());
  const late = sleep(waitMs, undefined, { signal: cut.signal }).then(
    () => {
      throw new ActionError(`${name}: no answer within ${waitMs} ms (its activation may have been lost)`, undefined, true);
    },
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([answerOf(client, name, params, limits, cut.signal), late]);
  } finally {
    cut.abort();
  }
}

async function answerOf(client: openwhisk.Client, name: string, params: Answer, limits: InvokeLimits, stop?: AbortSignal): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.actions.invoke({ name, params, blocking: true, result: true })) as Answer;
    } catch (err) {
      // The client rejects with `{activationId}` when the blocking wait ran out before the activation ended.
      const pending = (err as { activationId?: unknown } | undefined)?.activationId;
      if (typeof pending === 'string') return activationAnswer(client, name, pending, limits, stop);
      const answer = applicationErrorAnswer(err);
      if (answer) return answer;
      const code = statusCodeOf(err);
      if (code === 404) throw new ActionNotDeployedError(name);
      if (code !== 429 || attempt >= limits.throttledRetries || stop?.aborted) throw new ActionError(`${name}: ${describeOwError(err)}`, code);
      await sleep(backoff(attempt), undefined, { signal: stop });
    }
  }
}

/** The result inside a 502's activation record: the action ran and answered an error. */
function applicationErrorAnswer(err: unknown): Answer | undefined {
  if (statusCodeOf(err) !== 502) return undefined;
  const result = (err as { error?: { response?: { result?: unknown } } }).error?.response?.result;
  return typeof result === 'object' && result !== null ? (result as Answer) : undefined;
}

async function activationAnswer(client: openwhisk.Client, name: string, activationId: string, limits: InvokeLimits, stop?: AbortSignal): Promise<Answer> {
  for (let look = 0; ; look++) {
    try {
      const activation = await client.activations.get({ name: activationId });
      return (activation.response?.result ?? {}) as Answer;
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 404 && look >= limits.pendingLooks) {
        // No record this long after the invoke: the activation was lost. Asking again may get an answer.
        throw new ActionError(`${name}: activation ${activationId} outlasted the blocking wait, then had no record after ${look + 1} looks`, code, true);
      }
      if ((code !== 404 && code !== 429) || look >= limits.pendingLooks) {
        throw new ActionError(`${name}: activation ${activationId} outlasted the blocking wait, then ${describeOwError(err)}`, code);
      }
    }
    if (stop?.aborted) throw new ActionError(`${name}: activation ${activationId} had no answer in time`, undefined, true);
    await sleep(backoff(look), undefined, { signal: stop }).catch(() => undefined);
  }
}
