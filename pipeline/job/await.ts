// Waiting inside an action for a job to end (the entry action's `wait`, the compositions' `job-await`, `status` with
// `waitMs`): reads only, answering as soon as the store announces the end, with a nudge to the supervisor should
// none hold the job's lease.
import type { JobStore } from '../store/job-store.ts';
import { nudgeSupervisor } from '../supervisor/remedies.ts';
import type { JobStatus } from './status.ts';

/**
 * A running job is looked at again this often while waiting: an end announced while the subscriber connection was
 * reconnecting is then seen late rather than never, and the supervisor gets its nudge.
 */
const LOOK_AGAIN_MS = 2000;

/** The job's status once it has left `running`, or when `until` (epoch ms) comes; undefined for an unknown job. */
export async function awaitJob(store: JobStore, jobId: string, until: number): Promise<JobStatus | undefined> {
  for (;;) {
    const status = await store.status(jobId);
    const left = until - Date.now();
    if (!status || status.state !== 'running' || left <= 0) return status;
    await nudgeSupervisor(store, jobId);
    await store.waitForEnd(jobId, Math.min(left, LOOK_AGAIN_MS));
  }
}
