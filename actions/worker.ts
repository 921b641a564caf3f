// Pull mode's worker: `{jobId, worker}` (its slot, 0 … W-1) claims task after task from the job's queue until none is
// left, the job ends, or it hands over to a fresh worker near its time limit (pipeline/job/pull-worker.ts). Deployed
// with container concurrency 1, so W workers of a CPU-bound job are W processes on W cores; a worker of a kernel
// that waits on I/O keeps many claims in flight itself.
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/action.ts';
import { jobContext } from '../pipeline/job/context.ts';
import { runPullWorker } from '../pipeline/job/pull-worker.ts';
import { errorMessage } from '../pipeline/redact.ts';
import { type JobStore, UnknownJobError } from '../pipeline/store/job-store.ts';
import { StoreUnavailableError } from '../pipeline/store/unavailable.ts';
import { CONTAINER_ID, PROCESS_START, takeFirstRun } from '../pipeline/worker-process.ts';

export async function main(params: Record<string, unknown>) {
  // Read before the first await, as `work` does.
  const cold = takeFirstRun();
  const run = { activationId: process.env.__OW_ACTIVATION_ID ?? '', container: CONTAINER_ID, cold, ...(cold ? { boot: PROCESS_START } : {}) };
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  const worker = Number(params.worker);
  if (params.worker === undefined || !Number.isInteger(worker) || worker < 0) return { error: "parameter 'worker' must be an integer >= 0" };
  let store: JobStore | undefined;
  try {
    store = await jobStoreFor(params);
    const ctx = await jobContext(store, jobId);
    if ('ended' in ctx) return { jobId, worker, skipped: ctx.ended };
    return await runPullWorker(store, jobId, worker, ctx, run);
  } catch (err) {
    if (err instanceof UnknownJobError) return { jobId, worker, error: err.message };
    const error = `worker ${worker}: ${errorMessage(err)}`;
    // As in push mode, a job whose tasks cannot even start must fail; a task this worker held is requeued once its
    // lease expires.
    if (!(err instanceof StoreUnavailableError)) await store?.failJob(jobId, error).catch(() => {});
    return { jobId, worker, error };
  }
}
