// The host's one way to run jobs on an OpenWhisk with the pipeline deployed: submit through the entry action, read
// and wait through the `status` action, cancel. Used by the CLI, the benchmarks and the tests.
import type openwhisk from 'openwhisk';
import type { JobStatus } from '../../pipeline/job/status.ts';
import { cancelJob } from './cancel.ts';
import { readJobStatus } from './status.ts';
import { ENTRY_ACTION, submitJob, type JobRequest, type SubmittedJob } from './submit.ts';
import { waitForJob, type JobWaitOptions } from './wait.ts';

export class JobClient {
  constructor(
    readonly openwhisk: openwhisk.Client,
    /** The entry action jobs are submitted to and cancelled through. */
    readonly entryAction: string = ENTRY_ACTION,
  ) {}

  submit(request: JobRequest): Promise<SubmittedJob> {
    return submitJob(this.openwhisk, request, this.entryAction);
  }

  /**
   * The job's status now; given `waitMs`, once it ends should it end within that long. No answer by `deadline` (epoch
   * ms; by default a status activation's time limit after the wait) is a transient ActionError.
   */
  status(jobId: string, waitMs?: number, deadline?: number): Promise<JobStatus> {
    return readJobStatus(this.openwhisk, jobId, waitMs, deadline);
  }

  wait(jobId: string, options?: JobWaitOptions): Promise<JobStatus> {
    return waitForJob(this.openwhisk, jobId, options);
  }

  cancel(jobId: string): Promise<{ jobId: string; state: JobStatus['state'] }> {
    return cancelJob(this.openwhisk, jobId, this.entryAction);
  }
}

export { ActionError, isTransient, stateOf, type Answer } from './answer.ts';
export { invokeAction } from './invoke.ts';
export type { JobRequest, SubmittedJob } from './submit.ts';
export { DEFAULT_STALL_MS, JobStatusUnreadableError, type JobWaitOptions } from './wait.ts';
export { WaitGaveUpError } from './wait-for-progress.ts';
