// Composition step: checks the recorded job's parameters against its kernel and describes its tasks as one index
// range for `coordinate` (which builds the tree of coordinators itself). Throws nothing: errors are results.
import { readConfig } from '../lib/config.ts';
import { isJobId } from '../lib/ids.ts';
import { JobStore } from '../lib/job-store.ts';
import { findKernel, prepare } from '../lib/kernels.ts';
import { errorMessage, registerEnvSecrets } from '../lib/redact.ts';
import { getRedis } from '../lib/redis.ts';

export async function main(p: Record<string, unknown>) {
  registerEnvSecrets(p);
  const jobId = p.jobId;
  if (!isJobId(jobId)) return { error: "missing or malformed parameter 'jobId'" };
  try {
    const store = new JobStore(await getRedis(readConfig(p).redisUrl));
    const meta = await store.meta(jobId);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return { error: `job ${jobId} is ${meta.state}` };
    const kernel = findKernel(meta.kernel);
    const { total } = prepare(kernel, JSON.parse(meta.params), meta.total);
    if (total !== meta.total) return { error: `kernel '${kernel.name}' asks for ${total} tasks, the job has ${meta.total}` };
    return { jobId, from: 0, to: total };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
