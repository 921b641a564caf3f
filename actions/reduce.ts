// Run by rule `supercompute-done-reduce` when the last task is done: merges the partials with the kernel's reduce
// and stores the result; the job's timings are completed by the same step. Running it twice changes nothing.
import { readConfig } from '../lib/config.ts';
import { JobStore } from '../lib/job-store.ts';
import { findKernel } from '../lib/kernels.ts';
import { errorMessage, registerEnvSecrets } from '../lib/redact.ts';
import { getRedis } from '../lib/redis.ts';
import { isJobId } from '../lib/ids.ts';

export async function main(params: Record<string, unknown>) {
  registerEnvSecrets(params);
  const jobId = params.jobId;
  if (!isJobId(jobId)) return { error: "missing or malformed parameter 'jobId'" };
  let store: JobStore | undefined;
  try {
    store = new JobStore(await getRedis(readConfig(params).redisUrl));
    const meta = await store.meta(jobId);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return { jobId, state: meta.state, reduced: false };

    const partials = await store.partials(jobId);
    if (partials.length < meta.total) return { error: `job ${jobId} has ${partials.length} of ${meta.total} tasks done` };

    let resultJson: string;
    try {
      const kernel = findKernel(meta.kernel);
      const parsed = kernel.parse(JSON.parse(meta.params));
      const result = kernel.reduce(parsed, partials.map((p) => JSON.parse(p.partial)));
      resultJson = JSON.stringify(result ?? null);
    } catch (err) {
      // Running it again would fail the same way: the job fails instead of waiting for a result.
      const error = `reduce failed: ${errorMessage(err)}`;
      await store.failJob(jobId, error);
      return { jobId, error };
    }
    const outcome = await store.finish(jobId, resultJson);
    return { jobId, state: outcome === 'failed' ? 'failed' : 'done', reduced: outcome === 'stored' };
  } catch (err) {
    return { jobId, error: `reduce: ${errorMessage(err)}` };
  }
}
