// The first step of dispatch: a job's tasks (fixed by its spec when it was created) cut into the first level of the
// coordinator tree, one coordinator invoked per range; or, for a pull-mode job, its worker slots (started here when
// they fit one leaf, else through the same tree), each worker claiming tasks from the job's queue.
import { sibling } from '../openwhisk/names.ts';
import { deadline, invokeAsync } from '../openwhisk/ow.ts';
import type { JobStore } from '../store/job-store.ts';
import type { JobMeta } from '../store/meta.ts';
import { boundedMap } from './pool.ts';
import { splitRange } from './ranges.ts';
import { startWorkers } from './redispatch.ts';

export async function splitJob(store: JobStore, meta: JobMeta, jobId: string): Promise<Record<string, unknown>> {
  // A pull-mode job's tree starts worker slots instead of tasks: one action cannot start 10,000 workers in time.
  const pull = meta.mode === 'pull';
  const ranges = splitRange({ from: 0, to: pull ? meta.workers : meta.total }, meta.fanout, meta.leafSize);
  if (pull && ranges.length === 1) {
    const slots = Array.from({ length: meta.workers }, (_, slot) => slot);
    return { jobId, total: meta.total, workers: await startWorkers(store, jobId, slots, deadline(2000), meta.concurrency, meta.kernelAction) };
  }
  const { errors } = await boundedMap(ranges, meta.concurrency, (r) => invokeAsync(sibling('coordinate'), { jobId, ...r }, { deadline: deadline(2000) }));
  if (errors.length > 0) throw errors[0];
  if (!pull) await store.markDispatched(jobId, [], true);
  return { jobId, total: meta.total, ranges };
}
