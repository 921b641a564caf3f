// Runs one job end to end for `run` and `demo`: validate, submit, follow with a progress bar, report.
import type openwhisk from 'openwhisk';
import type { SizingPlan } from '../pipeline/job/plan.ts';
import type { JobStatus } from '../pipeline/job/status.ts';
import { JobClient, JobStatusUnreadableError, WaitGaveUpError } from '../host/jobs/client.ts';
import { createProgress } from './progress.ts';
import { formatMs, formatResult, formatTimings } from './report.ts';
import { UsageError } from './params.ts';

type Dict = Record<string, unknown>;

export interface RunOptions {
  kernel: string;
  params: Dict;
  tasks: number;
  /** Pull mode's worker activations; absent: one activation per task. */
  workers?: number;
  /** How tasks and workers were chosen, reported with the outcome. */
  plan?: SizingPlan;
  json: boolean;
  progress: boolean;
  pollMs: number;
  /** Stop waiting after this long, ms; 0 = no limit. */
  waitTimeoutMs: number;
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

/** The job's own checks, by the spec's parser and the deployed kernel, so mistakes are reported before anything runs. */
export async function validateJob(client: openwhisk.Client, kernel: string, params: Dict, tasks: number, workers?: number): Promise<void> {
  const { parseJobRequest } = await import('../pipeline/job/spec.ts');
  const { planWithDeployedKernel } = await import('../host/kernels/ask.ts');
  const { usageErrorOf } = await import('./plan-run.ts');
  try {
    parseJobRequest({ kernel, params, tasks, workers });
    await planWithDeployedKernel(client, kernel, { params, tasks, ...(workers !== undefined ? { workers } : {}) });
  } catch (err) {
    throw usageErrorOf(err);
  }
}

export async function runJob(jobs: JobClient, options: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const { jobId, total } = await jobs.submit({ kernel: options.kernel, params: options.params, tasks: options.tasks, workers: options.workers });
  if (!options.json) {
    console.error(`job ${jobId}: ${options.kernel} on ${total} tasks`);
    const url = await options.dashboard?.(jobId).catch(() => undefined);
    if (url) console.error(`dashboard: ${url}`);
  }

  const progress = createProgress(options.kernel, options.progress && !options.json);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const notSeen: JobStatus = { jobId, state: 'running', done: 0, total, kernel: options.kernel };
  try {
    const status = await jobs.wait(jobId, {
      pollMs: options.pollMs,
      timeoutMs: options.waitTimeoutMs,
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
    const status = await jobs.status(jobId).catch(() => notSeen);
    return { status, stoppedWaiting: 'interrupted', wallMs: Date.now() - started };
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Exit codes of `run`: the job's end, or why the wait ended without it. */
export const EXIT = { done: 0, failed: 1, stillRunning: 2, statusUnreadable: 3, interrupted: 130 } as const;

/**
 * Prints the outcome (JSON on stdout with `json`) and returns the exit code: 0 done, 1 failed or cancelled, 2 still
 * running (wait or stall timeout), 3 the status could not be read (the job may still run), 130 interrupted.
 */
export function reportJob(options: RunOptions, outcome: RunOutcome): number {
  const { status, wallMs } = outcome;
  if (options.json) {
    console.log(JSON.stringify({ ...status, kernel: options.kernel, tasks: options.tasks, ...(options.plan ? { plan: options.plan } : {}), ...(outcome.pollError ? { statusUnreadable: outcome.pollError } : {}), wallMs }));
  } else if (status.state === 'done') {
    const rate = wallMs > 0 ? ((status.total / wallMs) * 1000).toFixed(1) : '?';
    console.log(`${options.kernel}: done, ${status.done}/${status.total} tasks in ${formatMs(wallMs)} (${rate} tasks/s)`);
    console.log(`result:${formatResult(status.result)}`);
    const timings = formatTimings(status.timings);
    if (timings.length > 0) console.log(['timings:', ...timings].join('\n'));
  } else if (status.state === 'failed') {
    console.error(`${options.kernel}: job ${status.jobId} failed after ${status.done}/${status.total} tasks: ${errorText(status.error)}`);
  } else if (status.state === 'cancelled') {
    console.error(`${options.kernel}: job ${status.jobId} was cancelled after ${status.done}/${status.total} tasks`);
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
    console.error(`${why}: job ${status.jobId} has ${status.done}/${status.total} tasks done; follow it with \`supercompute status ${status.jobId}\``);
    return outcome.stoppedWaiting === 'interrupted' ? EXIT.interrupted : EXIT.stillRunning;
  }
  return status.state === 'done' ? EXIT.done : EXIT.failed;
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as Dict).message === 'string') return (error as Dict).message as string;
  return JSON.stringify(error ?? 'unknown error');
}
