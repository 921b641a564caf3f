// A submitted job, as the library hands it out: its id, and what can be asked of it (status, a wait to its end, its
// result, cancel, plots). Everything goes through the host's one job client.
import type openwhisk from 'openwhisk';
import type { JobClient, JobWaitOptions } from '../jobs/client.ts';
import { writeJobPlots } from '../jobs/plots.ts';
import type { JobState, JobStatus } from '../../pipeline/job/status.ts';
import type { SizingPlan } from '../../pipeline/sizing/decide.ts';
import type { ResultRef } from '../../pipeline/data/value-ref.ts';
import { resultValue } from '../jobs/result-value.ts';

/** How a wait follows the job: progress callbacks and the limits that end the wait while the job still runs. */
export type WaitOptions = Pick<JobWaitOptions, 'onProgress' | 'timeoutMs' | 'stallMs' | 'pollMs' | 'signal'>;

/** The job ended without a result: it failed (its `error` says why) or was cancelled. */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
  readonly jobId: string;
  readonly state: JobState;
  constructor(readonly status: JobStatus) {
    super(`job ${status.jobId} ${status.state}${status.error ? `: ${status.error}` : ''}`);
    this.jobId = status.jobId;
    this.state = status.state;
  }
}

export class Job<Result = unknown> {
  /** The job's status once it was seen to end. */
  #ended: JobStatus | undefined;

  constructor(
    private readonly jobs: JobClient,
    private readonly openwhisk: openwhisk.Client,
    readonly id: string,
    readonly kernel: string,
    /** Tasks the job was split into. */
    readonly total: number,
    /** How the host sized the job, when it did (no `tasks` and `workers` both given). */
    readonly plan?: SizingPlan,
  ) {}

  /** The job's status now. */
  async status(): Promise<JobStatus> {
    const status = await this.jobs.status(this.id);
    if (status.state !== 'running') this.#ended = status;
    return status;
  }

  /**
   * The job's status once it has ended (done, failed or cancelled: a failed job is an answer here). Throws a
   * WaitGaveUpError when `timeoutMs` passes or the job shows no progress for `stallMs` (default 120 s) while it runs, a
   * JobStatusUnreadableError when its status polls kept failing.
   */
  async wait(options: WaitOptions = {}): Promise<JobStatus> {
    if (this.#ended) return this.#ended;
    this.#ended = await this.jobs.wait(this.id, options);
    return this.#ended;
  }

  /**
   * The job's result once it is done, read from the object store when it is kept there (with this process's AWS_*
   * settings); a JobFailedError when it failed or was cancelled.
   */
  async result(options: WaitOptions = {}): Promise<Result> {
    const status = await this.wait(options);
    if (status.state !== 'done') throw new JobFailedError(status);
    return (await resultValue(status)) as Result;
  }

  /** Where the done job's result is kept in the object store, or undefined when it is inline in the status. */
  async resultRef(options: WaitOptions = {}): Promise<ResultRef | undefined> {
    const status = await this.wait(options);
    if (status.state !== 'done') throw new JobFailedError(status);
    return status.resultRef;
  }

  /** Cancels the running job; an ActionError (409) when it had already ended, (404) for a job that is gone. */
  async cancel(): Promise<JobState> {
    return (await this.jobs.cancel(this.id)).state;
  }

  /**
   * Writes the job's plots, `ID-timeline.svg`, `ID-histogram.svg`, `ID-stream.svg` and `ID-activity.svg`, into `dir`
   * (created if missing), as `supercompute plot` does; answers their paths.
   */
  plot(dir: string): Promise<string[]> {
    return writeJobPlots(this.openwhisk, this.id, dir);
  }
}
