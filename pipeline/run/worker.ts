// `op: worker`, pull mode's worker: `{jobId, worker}` (its slot, 0 … W-1) claims task after task from the job's queue until none is
// left, the job ends, or it hands over to a fresh worker near its time limit (pipeline/run/pull-worker.ts). Deployed
// with container concurrency 1, so W workers of a CPU-bound job are W processes on W cores; a worker of a kernel
// that waits on I/O keeps many claims in flight itself.
import type { AnyKernel } from '../../kernels/types.ts';
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../job/step.ts';
import { jobContext } from './context.ts';
import { runPullWorker } from './pull-worker.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import { type JobStore, UnknownJobError } from '../store/job-store.ts';
import { StoreUnavailableError } from '../store/unavailable.ts';
import { beginTaskRun } from './task-run.ts';
import { watchdog } from '../watchdog/watchdog.ts';

export async function runWorker(kernel: AnyKernel, params: Record<string, unknown>) {
  const run = beginTaskRun();
  watchdog();
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  const worker = Number(params.worker);
  if (params.worker === undefined || !Number.isInteger(worker) || worker < 0) return { error: "parameter 'worker' must be an integer >= 0" };
  let store: JobStore | undefined;
  try {
    store = await jobStoreFor(params);
    const ctx = await jobContext(store, jobId, kernel, params);
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
