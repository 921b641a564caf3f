// `op: reduce`, asked for by the `reduce` action (run by rule `supercompute-done-reduce` when the last task is done):
// merges the partials (those in the object store read back) with the kernel's reduce and stores the result (a large
// one in the object store); the job's timings are completed by the same step.
// Running it twice changes nothing.
import type { AnyKernel } from '../../kernels/types.ts';
import type { JobStore } from '../store/job-store.ts';
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../job/action.ts';
import { errorMessage } from '../redact.ts';
import { partialValues, resultToKeep } from '../job/large-values.ts';
import { advanceMapStage, commitDataset, parseShuffle } from '../shuffle/stages.ts';

export async function reduceJob(kernel: AnyKernel, params: Record<string, unknown>) {
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  let store: JobStore | undefined;
  try {
    store = await jobStoreFor(params);
    const meta = await store.meta(jobId);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return { jobId, state: meta.state, reduced: false };

    const partials = await store.partials(jobId);
    if (partials.length < meta.total) return { error: `job ${jobId} has ${partials.length} of ${meta.total} tasks done` };

    const shuffle = parseShuffle(meta);
    // A shuffle job's map stage ends when its reduce stage does (pipeline/shuffle/stages.ts).
    if (shuffle && shuffle.mapJob === undefined) return await advanceMapStage(store, jobId, meta, shuffle, params);
    let resultJson: string;
    try {
      if (meta.kernel !== kernel.name) throw new Error(`job ${jobId} runs kernel '${meta.kernel}', not '${kernel.name}'`);
      const parsed = kernel.parse(JSON.parse(meta.params), { input: Boolean(meta.input) });
      const result = shuffle ? await commitDataset(store, shuffle, meta.resultsBucket, params, jobId) : await kernel.reduce(parsed, await partialValues(params, partials));
      // A large result goes to the object store; a store that fails here fails the job, naming the store.
      resultJson = await resultToKeep(params, meta, jobId, result, JSON.stringify(result ?? null));
    } catch (err) {
      // Running it again would fail the same way: the job fails instead of waiting for a result.
      const error = `reduce failed: ${errorMessage(err)}`;
      await store.failJob(jobId, error);
      if (shuffle?.mapJob) await store.failJob(shuffle.mapJob, `reduce stage: ${error}`).catch(() => false);
      return { jobId, error };
    }
    const outcome = await store.finish(jobId, resultJson);
    if (shuffle?.mapJob && outcome !== 'failed') await store.finish(shuffle.mapJob, resultJson);
    return { jobId, state: outcome === 'failed' ? 'failed' : 'done', reduced: outcome === 'stored' };
  } catch (err) {
    return { jobId, error: `reduce: ${errorMessage(err)}` };
  }
}
