// Following a job until it leaves `running`, bounded by its progress rather than by the clock. Each poll is a
// long-poll: `status` holds its answer until the job ends or the poll interval has passed, so the end is known when
// it happens and progress still comes every interval. A poll that fails (throttled, the API host or Redis away, a
// lost `status` activation, the `status` action missing while a platform is redeployed) says nothing about the job: it
// is retried with backoff, never read as the job failing.
import { setTimeout as sleep } from 'node:timers/promises';
import type openwhisk from 'openwhisk';
import type { JobStatus } from '../../pipeline/job/status.ts';
import { WaitGaveUpError, waitForProgress } from './wait-for-progress.ts';
import { ActionError, ActionNotDeployedError, isTransient } from './answer.ts';
import { readJobStatus, STATUS_ANSWER_MARGIN_MS } from './status.ts';

export interface JobWaitOptions {
  /** Every status read while waiting, awaited before the next poll. */
  onProgress?: (status: JobStatus) => void | Promise<void>;
  /** Give up when neither the state, nor the done count, nor the retry counts have changed for this long, ms; 0 = never. */
  stallMs?: number;
  /** Give up after this long in all, ms; absent or 0 = no limit. */
  timeoutMs?: number;
  /** Time from one status poll to the next, ms: how often `onProgress` is called while the job runs. */
  pollMs?: number;
  /**
   * How long each status poll may wait for the job to end, ms (a long-poll, so the wait ends when the job does);
   * default `pollMs`, 0 = plain polling. A deployment whose `status` knows no `waitMs` is simply polled.
   */
  waitMs?: number;
  /**
   * Give up when status polls have failed for this long in a row, ms (with neither `stallMs` nor `timeoutMs`, this
   * is what bounds a wait whose polls never answer); default POLLS_FAILING_MS.
   */
  pollsFailingMs?: number;
  /**
   * How long a status poll may take beyond its `waitMs` before its activation is taken for lost (a failed poll), ms;
   * default STATUS_ANSWER_MARGIN_MS.
   */
  lostAfterMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_STALL_MS = 120_000;
export const DEFAULT_POLL_MS = 500;
export const POLLS_FAILING_MS = 600_000;
/** A poll cut by the wait's deadline this soon after its own wait would have ended was not (yet) a failed one, ms. */
const CUT_POLL_GRACE_MS = 2000;
const FIRST_POLL_BACKOFF_MS = 250;
const MAX_POLL_BACKOFF_MS = 5000;

/**
 * The wait ended while the job's status could not be read: its latest polls failed (`cause`), so whether the job
 * still runs is not known. Not the job failing: `last` is the last status read, if any.
 */
export class JobStatusUnreadableError extends ActionError {
  constructor(
    readonly jobId: string,
    readonly last: JobStatus | undefined,
    readonly failedPolls: number,
    override readonly cause: ActionError,
    why: string,
  ) {
    super(`could not read the status of job ${jobId} (${failedPolls} polls failed in a row, ${why}): ${cause.message}`, cause.statusCode, true);
  }
}

/** What counts as the job moving forward; `retries` moves while failed tasks are re-run and `done` stands still. */
function progressOf(status: JobStatus): string {
  const r = status.retries;
  const stage = status.stage ? [status.stage.name, status.stage.state, status.stage.done] : [];
  return [status.state, status.done, r?.tasks, r?.invocations, r?.resentRanges, r?.speculative, ...stage].join('/');
}

/**
 * The job's status once it has left `running` (done, failed or cancelled: a failed job is an answer, not an error).
 * Throws a WaitGaveUpError (reason `stalled` or `timeout`, with the last status) when it gives up while the job was
 * seen running, a JobStatusUnreadableError when it gives up while status polls fail, an ActionError when the status
 * says no for good (an unknown job, `status` not deployed), and the abort reason on `signal`.
 */
export async function waitForJob(client: openwhisk.Client, jobId: string, options: JobWaitOptions = {}): Promise<JobStatus> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const waitMs = options.waitMs ?? pollMs;
  const pollsFailingMs = options.pollsFailingMs ?? POLLS_FAILING_MS;
  const lostAfterMs = options.lostAfterMs ?? STATUS_ANSWER_MARGIN_MS;
  const until = options.timeoutMs ? Date.now() + options.timeoutMs : Infinity;
  let failedPolls = 0;
  let failingSince = 0;
  let failure: ActionError | undefined;
  let last: JobStatus | undefined;
  const unreadable = (why: string) => new JobStatusUnreadableError(jobId, last, failedPolls, failure!, why);
  try {
    return await waitForProgress(
      async () => {
        let status: JobStatus;
        const asked = Date.now();
        const holdMs = Math.min(waitMs, until - asked);
        try {
          status = await readJobStatus(client, jobId, holdMs, Math.min(until, asked + holdMs + lostAfterMs));
        } catch (err) {
          // The job was submitted through this deployment, so a `status` action missing is a platform restarted before
          // its redeploy, not an answer about the job: a failed poll, like one the API host did not answer.
          if (!isTransient(err) && !(err instanceof ActionNotDeployedError)) throw err;
          // Cut short by the wait's own deadline while it could still answer in time: not a failed poll; the deadline
          // ends the wait with the job seen running.
          if (Date.now() >= until && last !== undefined && Date.now() - asked < holdMs + CUT_POLL_GRACE_MS) return undefined;
          if (failedPolls++ === 0) failingSince = Date.now();
          failure = err as ActionError;
          if (Date.now() - failingSince >= pollsFailingMs) throw unreadable(`for ${pollsFailingMs} ms`);
          const backoff = Math.min(MAX_POLL_BACKOFF_MS, FIRST_POLL_BACKOFF_MS * 2 ** Math.min(failedPolls - 1, 10));
          await sleep(Math.max(0, Math.min(backoff, until - Date.now())), undefined, { signal: options.signal });
          // Polls that fail say nothing about the job's progress, so they do not run its stall clock either (each
          // counts as a change): failing polls are bounded by `pollsFailingMs` and the timeout instead.
          return last === undefined ? undefined : { value: last, finished: false, progress: `poll failed ${failedPolls}` };
        }
        failedPolls = 0;
        failure = undefined;
        last = status;
        await options.onProgress?.(status);
        return { value: status, finished: status.state !== 'running', progress: progressOf(status) };
      },
      {
        what: `job ${jobId}`,
        pollMs,
        stallMs: options.stallMs ?? DEFAULT_STALL_MS,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
      },
    );
  } catch (err) {
    // Giving up while the latest polls failed: the job's state is not known, so say that rather than "still running".
    if (err instanceof WaitGaveUpError && failure) throw unreadable(err.reason === 'timeout' ? `then the wait timed out` : `then the wait stalled`);
    throw err;
  }
}
