// Following a job until it leaves `running`, bounded by its progress rather than by the clock. Each poll is a
// long-poll: `status` holds its answer until the job ends or the poll interval has passed, so the end is known when
// it happens and progress still comes every interval.
import { setTimeout as sleep } from 'node:timers/promises';
import type openwhisk from 'openwhisk';
import type { JobStatus } from '../../pipeline/job/status.ts';
import { waitForProgress } from '../wait-for-progress.ts';
import { ActionError, isTransient } from './answer.ts';
import { readJobStatus } from './status.ts';

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
  signal?: AbortSignal;
}

export const DEFAULT_STALL_MS = 120_000;
export const DEFAULT_POLL_MS = 500;
/** Status polls in a row that may fail (throttled, Redis or the API host away a moment) before the wait stops. */
const FAILED_POLLS_ALLOWED = 8;
const FIRST_POLL_BACKOFF_MS = 250;
const MAX_POLL_BACKOFF_MS = 5000;

/** What counts as the job moving forward; `retries` moves while failed tasks are re-run and `done` stands still. */
function progressOf(status: JobStatus): string {
  const r = status.retries;
  return [status.state, status.done, r?.tasks, r?.invocations, r?.speculative].join('/');
}

/**
 * The job's status once it has left `running` (done, failed or cancelled: a failed job is an answer, not an error).
 * Throws a WaitGaveUpError (reason `stalled` or `timeout`, with the last status) when it gives up, an ActionError when
 * the status cannot be read (an unknown job, or polls failing `FAILED_POLLS_ALLOWED` times in a row), and the abort
 * reason on `signal`.
 */
export async function waitForJob(client: openwhisk.Client, jobId: string, options: JobWaitOptions = {}): Promise<JobStatus> {
  let failedPolls = 0;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const waitMs = options.waitMs ?? pollMs;
  const until = options.timeoutMs ? Date.now() + options.timeoutMs : Infinity;
  return waitForProgress(
    async () => {
      let status: JobStatus;
      try {
        status = await readJobStatus(client, jobId, Math.min(waitMs, until - Date.now()));
      } catch (err) {
        if (!isTransient(err) || ++failedPolls > FAILED_POLLS_ALLOWED) throw pollError(jobId, err, failedPolls);
        // A failed poll says nothing about the job: not progress, not an end. Back off before the next one.
        await sleep(Math.min(MAX_POLL_BACKOFF_MS, FIRST_POLL_BACKOFF_MS * 2 ** (failedPolls - 1)), undefined, { signal: options.signal });
        return undefined;
      }
      failedPolls = 0;
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
}

function pollError(jobId: string, err: unknown, failedPolls: number): unknown {
  if (!(err instanceof ActionError) || !err.transient) return err;
  return new ActionError(`could not read the status of job ${jobId} (${failedPolls} polls failed in a row): ${err.message}`, err.statusCode);
}
