// The task plan of a job into dispatch: the job's tasks (fixed by its spec when it was created) cut into the first
// level of the coordinator tree, one coordinator invoked per range; or, for a pull-mode job, its worker slots (started
// here when they fit one leaf, else through the same tree), each worker claiming tasks from the job's queue. Run by the entry action, and as a step of the `supercompute-flow` composition.
import type { JobStore } from '../pipeline/store/job-store.ts';
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/step.ts';
import { sibling } from '../pipeline/openwhisk/names.ts';
import { deadline, invokeAsync } from '../pipeline/openwhisk/ow.ts';
import { boundedMap } from '../pipeline/dispatch/pool.ts';
import { splitRange } from '../pipeline/dispatch/ranges.ts';
import { errorMessage } from '../pipeline/openwhisk/redact.ts';
import { startWorkers } from '../pipeline/supervisor/remedies.ts';

export async function main(params: Record<string, unknown>) {
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  let store: JobStore | undefined;
  try {
    store = await jobStoreFor(params);
    const meta = await store.meta(jobId, false);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return { jobId, skipped: meta.state };
    // A pull-mode job's tree starts worker slots instead of tasks: one action cannot start 10,000 workers in time.
    const pull = meta.workers > 0;
    const ranges = splitRange({ from: 0, to: pull ? meta.workers : meta.total }, meta.fanout, meta.leafSize);
    if (pull && ranges.length === 1) {
      const slots = Array.from({ length: meta.workers }, (_, slot) => slot);
      return { jobId, total: meta.total, workers: await startWorkers(store, jobId, slots, deadline(2000), meta.concurrency) };
    }
    const { errors } = await boundedMap(ranges, meta.concurrency, (r) =>
      invokeAsync(sibling('coordinate'), { jobId, ...r }, { deadline: deadline(2000) }),
    );
    if (errors.length > 0) throw errors[0];
    if (!pull) await store.markDispatched(jobId, [], true);
    return { jobId, total: meta.total, ranges };
  } catch (err) {
    const error = `split failed: ${errorMessage(err)}`;
    await store?.failJob(jobId, error).catch(() => {});
    return { jobId, error };
  }
}
