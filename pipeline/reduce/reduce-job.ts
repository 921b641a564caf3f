// `op: reduce`, asked for by the `reduce` action (run by rule `supercompute-done-reduce` when the last task is done):
// merges the partials (those in the object store read back) with the kernel's reduce and stores the result (a large
// one in the object store); the job's timings are completed by the same step.
// Running it twice changes nothing.
import type { AnyKernel } from '../../kernels/types.ts';
import type { JobStore } from '../store/job-store.ts';
import { jobStep } from '../job/step.ts';
import type { JobMeta } from '../store/meta.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import { partialValues, resultToKeep } from '../run/large-values.ts';
import { advanceMapStage, commitDataset, commitRetryable, discardShuffle, parseShuffle, tidyShuffle } from '../shuffle/stages.ts';

export function reduceJob(kernel: AnyKernel, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  // A shuffle that ended without its dataset: its objects go (asked for by the supervisor and the cancel).
  const ended = async (jobId: string, state: string, meta: JobMeta) => {
    const shuffle = parseShuffle(meta);
    if (shuffle && state !== 'done') return { jobId, state, reduced: false, ...(await discardShuffle(shuffle, jobId, meta.resultsBucket, params)) };
    return { jobId, state, reduced: false };
  };
  return jobStep(params, { name: 'reduce', withParams: true, ended }, (store, meta, jobId) => reduceRunningJob(kernel, params, store, meta, jobId));
}

async function reduceRunningJob(kernel: AnyKernel, params: Record<string, unknown>, store: JobStore, meta: JobMeta, jobId: string): Promise<Record<string, unknown>> {
  const partials = await store.partials(jobId);
  if (partials.length < meta.total) return { error: `job ${jobId} has ${partials.length} of ${meta.total} tasks done` };

  const shuffle = parseShuffle(meta);
  // A shuffle job's map stage ends when its reduce stage does (pipeline/shuffle/stages.ts).
  if (shuffle && shuffle.mapJob === undefined) {
    const advanced = await advanceMapStage(store, jobId, meta, shuffle, params);
    if (advanced.state === 'failed' || advanced.state === 'cancelled') await discardShuffle(shuffle, jobId, meta.resultsBucket, params).catch(() => {});
    return advanced;
  }
  let resultJson: string;
  try {
    if (meta.kernel !== kernel.name) throw new Error(`job ${jobId} runs kernel '${meta.kernel}', not '${kernel.name}'`);
    const parsed = kernel.parse(JSON.parse(meta.params), { input: Boolean(meta.input) });
    const result = shuffle ? await commitDataset(store, shuffle, meta.resultsBucket, params, jobId) : await kernel.reduce(parsed, await partialValues(params, partials));
    // A large result goes to the object store; a store that fails here fails the job, naming the store.
    resultJson = await resultToKeep(params, meta, jobId, result, JSON.stringify(result ?? null));
  } catch (err) {
    // The store failed a shuffle's commit: the supervisor runs this again, as for a lost reduce.
    if (shuffle && commitRetryable(err, meta)) return { jobId, error: `reduce: ${errorMessage(err)}`, retried: 'by the supervisor' };
    // Running it again would fail the same way: the job fails instead of waiting for a result.
    const error = `reduce failed: ${errorMessage(err)}`;
    await store.failJob(jobId, error);
    if (shuffle?.mapJob) await store.failJob(shuffle.mapJob, `reduce stage: ${error}`).catch(() => false);
    if (shuffle) await discardShuffle(shuffle, jobId, meta.resultsBucket, params).catch(() => {});
    return { jobId, error };
  }
  const outcome = await store.finish(jobId, resultJson);
  if (shuffle?.mapJob && outcome !== 'failed') {
    await store.finish(shuffle.mapJob, resultJson);
    await tidyShuffle(shuffle, meta.resultsBucket, params).catch(() => {});
  }
  return { jobId, state: outcome === 'failed' ? 'failed' : 'done', reduced: outcome === 'stored' };
}
