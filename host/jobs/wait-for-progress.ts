// Waiting on something that moves forward (a job, a page following a job): the wait ends when it is finished, and
// gives up only when nothing has moved for a while, or when an explicit deadline passes. A busy machine makes things
// slower, not stuck, so a wait bounded by total time fails where one bounded by the lack of progress holds.
import { setTimeout as sleep } from 'node:timers/promises';

/** One look at the thing waited on. */
export interface Look<T> {
  value: T;
  finished: boolean;
  /** Changes whenever the thing moves forward (compared as is). */
  progress: string;
}

export interface ProgressWaitOptions {
  /** What is waited on, for messages: "job ABC". */
  what: string;
  /** Time from the start of one look to the start of the next, ms (a look that takes longer is followed at once). */
  pollMs: number;
  /** Give up when the progress has not changed for this long, ms; 0 = never. */
  stallMs: number;
  /** Give up after this long in all, ms; 0 or absent = no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The wait ended before the thing finished: it stalled, or the explicit deadline passed. `last` is the last look's value. */
export class WaitGaveUpError<T> extends Error {
  override readonly name = 'WaitGaveUpError';
  constructor(
    readonly reason: 'stalled' | 'timeout',
    readonly last: T | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Looks every `pollMs` (a look may itself wait, as a long-poll does) until a look says finished, and answers its
 * value. A look may answer undefined (nothing could be seen this time: no progress, not an end); what it throws ends
 * the wait, as does `signal`.
 */
export async function waitForProgress<T>(look: () => Promise<Look<T> | undefined>, options: ProgressWaitOptions): Promise<T> {
  const started = Date.now();
  let lastProgressAt = started;
  let progress: string | undefined;
  let last: T | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const lookedAt = Date.now();
    const seen = await look();
    const now = Date.now();
    if (seen) {
      if (seen.finished) return seen.value;
      if (seen.progress !== progress) {
        progress = seen.progress;
        lastProgressAt = now;
      }
      last = seen.value;
    }
    const shown = last === undefined ? 'nothing seen yet' : `last seen: ${JSON.stringify(last).slice(0, 300)}`;
    if (options.timeoutMs && now - started >= options.timeoutMs) {
      throw new WaitGaveUpError('timeout', last, `${options.what} not finished after ${options.timeoutMs} ms (${shown})`);
    }
    if (options.stallMs && now - lastProgressAt >= options.stallMs) {
      throw new WaitGaveUpError('stalled', last, `${options.what} made no progress for ${options.stallMs} ms (${shown})`);
    }
    const untilDeadline = options.timeoutMs ? started + options.timeoutMs - now : Infinity;
    const untilNextLook = lookedAt + options.pollMs - now;
    await sleep(Math.max(0, Math.min(untilNextLook, untilDeadline)), undefined, { signal: options.signal });
  }
}
