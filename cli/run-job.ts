// Runs one job end to end for `run` and `demo`: validate, submit, follow with a progress bar, report.
import type openwhisk from 'openwhisk';
import type { SizingPlan } from '../pipeline/sizing/decide.ts';
import type { JobStatus } from '../pipeline/job/status.ts';
import type { Mode } from '../pipeline/job/mode.ts';
import { JobStatusUnreadableError, WaitGaveUpError } from '../host/jobs/client.ts';
import { beforeDeadline } from '../host/target/api-deadline.ts';
import type { Supercompute } from '../host/library/client.ts';
import { createProgress } from './progress.ts';
import { formatMs, formatResult, formatTimings } from './report.ts';
import { UsageError } from './params.ts';
import { storedResultLine } from './result-file.ts';
import { NO_ANSWER_EXIT } from './exit.ts';

type Dict = Record<string, unknown>;

export interface RunOptions {
  kernel: string;
  params: Dict;
  /** Absent only with `input`: then the input's pieces. */
  tasks?: number;
  /** How its tasks run, sent as is; absent only with `input` (then planned by the deployment). */
  mode?: Mode;
  /** Pull mode's worker activations; absent: planned by the deployment (with `input`). */
  workers?: number;
  /** The job's data input (s3:// or http(s) URLs) and the bytes per task it is cut into. */
  input?: string | string[];
  chunkSize?: string;
  /** A shuffle job's fields (`--partition-by` …). */
  partitionBy?: string;
  sortBy?: string;
  reducers?: number;
  output?: string;
  outputFormat?: 'parquet' | 'csv' | 'jsonl';
  overwrite?: boolean;
  /** How tasks and workers were chosen, reported with the outcome. */
  plan?: SizingPlan;
  /** The file `--out` writes the result to once the job is done. */
  out?: string;
  json: boolean;
  progress: boolean;
  pollMs: number;
  /** Stop waiting after this long, ms; 0 = no limit. */
  waitTimeoutMs: number;
  /** Epoch ms by which the command ends (`--wait-timeout` from its start): the submit too, the wait with what is left. */
  deadline?: number;
  /** Stop waiting when the job has shown no progress for this long, ms; 0 = never. */
  stallMs: number;
  /** Where the job's live dashboard is, printed with the job id. */
  dashboard?: (jobId: string) => Promise<string>;
}

export interface RunOutcome {
  status: JobStatus;
  /** Why the wait ended while the job still ran (or, `unreadable`, while its status could not be read); absent when the job ended. */
  stoppedWaiting?: 'timeout' | 'stalled' | 'interrupted' | 'unreadable';
  /** With `unreadable`: why the status could not be read. */
  pollError?: string;
  wallMs: number;
}

/** The request's own bounds (counts, params size and keys), as the entry action checks them, with no kernel needed. */
export async function checkRequest(kernel: string, params: Dict, asked: { tasks?: number; mode?: Mode; workers?: number }): Promise<void> {
  const { parseJobRequest } = await import('../pipeline/job/spec.ts');
  const { usageErrorOf } = await import('./size-run.ts');
  try {
    parseJobRequest({ kernel, params, tasks: asked.tasks, mode: asked.mode, workers: asked.workers });
  } catch (err) {
    throw usageErrorOf(err);
  }
}

/** Submits and follows the job through the library's client: the CLI's submit and wait are the library's. */
export async function runJob(sc: Supercompute, options: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  // Planned already (or left to the deployment with an input), so the client submits the mode and counts as they are.
  const { input, chunkSize, tasks, mode, workers, partitionBy, sortBy, reducers, output, outputFormat, overwrite } = options;
  const shuffle = Object.fromEntries(Object.entries({ partitionBy, sortBy, reducers, output, outputFormat, overwrite }).filter(([, v]) => v !== undefined));
  const submitted = sc.run(options.kernel, options.params, input !== undefined ? { input, chunkSize, tasks, mode, workers, ...shuffle } : { tasks, mode, workers });
  const job = await beforeDeadline(submitted, options.deadline, sc.target.apihost, `--wait-timeout ${options.waitTimeoutMs / 1000} s: submitting the job, which may have started`);
  const { id: jobId, total } = job;
  // From here Ctrl-C is the job's: the handlers go in before anything else is awaited.
  const progress = createProgress(options.kernel, options.progress && !options.json);
  const abort = new AbortController();
  // The first Ctrl-C cancels the job and waits for it to end (exit 4); a second leaves at once (130). SIGTERM leaves.
  let cancelling = false;
  const onInterrupt = (): void => {
    if (cancelling) return abort.abort();
    cancelling = true;
    progress.stop();
    console.error(`cancelling job ${jobId} (Ctrl-C again to stop waiting; the cancel goes on)`);
    job.cancel().catch((err: unknown) => {
      console.error(`could not cancel job ${jobId}: ${(err as Error).message}; cancel it with \`supercompute cancel ${jobId}\``);
      abort.abort();
    });
  };
  const onTerminate = (): void => abort.abort();
  process.on('SIGINT', onInterrupt);
  process.once('SIGTERM', onTerminate);
  if (!options.json) {
    console.error(`job ${jobId}: ${options.kernel} on ${total} tasks`);
    const url = await options.dashboard?.(jobId).catch(() => undefined);
    if (url) console.error(`dashboard: ${url}`);
  }

  const notSeen: JobStatus = { jobId, state: 'running', done: 0, total, kernel: options.kernel };
  try {
    const status = await job.wait({
      pollMs: options.pollMs,
      timeoutMs: options.deadline === undefined ? options.waitTimeoutMs : Math.max(1, options.deadline - Date.now()),
      stallMs: options.stallMs,
      signal: abort.signal,
      onProgress: (s) => progress.update(s.done, s.total),
    });
    return { status, wallMs: Date.now() - started };
  } catch (err) {
    if (err instanceof JobStatusUnreadableError) {
      return { status: err.last ?? notSeen, stoppedWaiting: 'unreadable', pollError: err.message, wallMs: Date.now() - started };
    }
    if (err instanceof WaitGaveUpError) {
      return { status: (err.last as JobStatus | undefined) ?? notSeen, stoppedWaiting: err.reason, wallMs: Date.now() - started };
    }
    if (!abort.signal.aborted) throw err;
    const status = await job.status().catch(() => notSeen);
    return { status, stoppedWaiting: 'interrupted', wallMs: Date.now() - started };
  } finally {
    progress.stop();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
}

/** Exit codes of `run`: the job's end, or why the wait ended without it. */
export const EXIT = { done: 0, failed: 1, stillRunning: 2, statusUnreadable: NO_ANSWER_EXIT, cancelled: 4, interrupted: 130 } as const;

/**
 * Prints the outcome (JSON on stdout with `json`) and returns the exit code: 0 done, 1 failed, 2 still running (wait
 * or stall timeout), 3 the status could not be read (the job may still run), 4 cancelled, 130 interrupted.
 */
export function reportJob(options: RunOptions, outcome: RunOutcome): number {
  const { status, wallMs } = outcome;
  if (options.json) {
    console.log(JSON.stringify({ ...status, kernel: options.kernel, tasks: options.tasks, ...(options.plan ? { plan: options.plan } : {}), ...(outcome.pollError ? { statusUnreadable: outcome.pollError } : {}), wallMs }));
  } else if (status.state === 'done') {
    const rate = wallMs > 0 ? ((status.total / wallMs) * 1000).toFixed(1) : '?';
    console.log(`${options.kernel}: done, ${status.done}/${status.total} tasks in ${formatMs(wallMs)} (${rate} tasks/s)`);
    console.log(storedResultLine(status, `write it with \`supercompute status ${status.jobId} -o FILE\` (.json, or .png for an image)`) ?? `result:${formatResult(status.result, imageHint(status.jobId, options.dashboard !== undefined, options.out))}`);
    const timings = formatTimings(status.timings);
    if (timings.length > 0) console.log(['timings:', ...timings].join('\n'));
  } else if (status.state === 'failed') {
    console.error(`${options.kernel}: job ${status.jobId} failed after ${status.done}/${status.total} tasks: ${errorText(status.error)}`);
  } else if (status.state === 'cancelled') {
    console.error(`${options.kernel}: job ${status.jobId} was cancelled after ${status.done}/${status.total} tasks (exit code ${EXIT.cancelled})`);
  }
  if (outcome.stoppedWaiting === 'unreadable') {
    console.error(`${outcome.pollError}; job ${status.jobId} was last seen ${status.state} with ${status.done}/${status.total} tasks done and may still be running: follow it with \`supercompute status ${status.jobId}\``);
    return EXIT.statusUnreadable;
  }
  if (status.state === 'running') {
    const why = {
      interrupted: 'interrupted',
      timeout: `still running after ${formatMs(options.waitTimeoutMs)}`,
      stalled: `no progress for ${formatMs(options.stallMs)}`,
    }[outcome.stoppedWaiting ?? 'interrupted'];
    const next = outcome.stoppedWaiting === 'interrupted' ? `cancel it with \`supercompute cancel ${status.jobId}\`, or follow it with \`supercompute status ${status.jobId}\`` : `follow it with \`supercompute status ${status.jobId}\``;
    console.error(`${why}: job ${status.jobId} has ${status.done}/${status.total} tasks done; ${next}`);
    return outcome.stoppedWaiting === 'interrupted' ? EXIT.interrupted : EXIT.stillRunning;
  }
  if (status.state === 'cancelled') {
    if (options.json) console.error(`job ${status.jobId} was cancelled`);
    return EXIT.cancelled;
  }
  return status.state === 'done' ? EXIT.done : EXIT.failed;
}

/** Where a finished job's image is, and how to save it (unless `--out` is writing it), instead of its base64. */
function imageHint(jobId: string, hasDashboard: boolean, out: string | undefined): string {
  if (out !== undefined) return `${hasDashboard ? 'shown on the dashboard above; ' : ''}written to ${out}`;
  return [
    hasDashboard ? 'shown on the dashboard above; ' : '',
    'save it with `-o FILE.png` next time, or now with ',
    `\`supercompute status ${jobId} -o ${jobId}.png\``,
  ].join('');
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as Dict).message === 'string') return (error as Dict).message as string;
  return JSON.stringify(error ?? 'unknown error');
}
