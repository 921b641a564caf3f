// Waiting inside an action for a job to end (the entry action's `wait`, the compositions' `job-await`): reads only,
// with a nudge to the supervisor should none hold the job's lease.
import type { JobStore } from '../store/job-store.ts';
import { nudgeSupervisor } from '../supervisor/remedies.ts';
import type { JobStatus } from './status.ts';

const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

/** The job's status once it has left `running`, or when `until` (epoch ms) comes; undefined for an unknown job. */
export async function awaitJob(store: JobStore, jobId: string, until: number): Promise<JobStatus | undefined> {
  let delay = FIRST_POLL_MS;
  for (;;) {
    const status = await store.status(jobId);
    if (!status || status.state !== 'running' || Date.now() + delay >= until) return status;
    await nudgeSupervisor(store, jobId);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(MAX_POLL_MS, delay * 1.5);
  }
}
