// Describes a job's tasks as index ranges and hands them to the root coordinator.
import { readConfig } from '../lib/config.ts';
import { JobStore } from '../lib/job-store.ts';
import { findKernel, prepare } from '../lib/kernels.ts';
import { sibling } from '../lib/names.ts';
import { deadline, invokeAsync } from '../lib/ow.ts';
import { errorMessage, registerEnvSecrets } from '../lib/redact.ts';
import { getRedis } from '../lib/redis.ts';
import { isJobId } from '../lib/ids.ts';

export async function main(params: Record<string, unknown>) {
  registerEnvSecrets(params);
  const jobId = params.jobId;
  if (!isJobId(jobId)) return { error: "missing or malformed parameter 'jobId'" };
  let store: JobStore | undefined;
  try {
    const cfg = readConfig(params);
    store = new JobStore(await getRedis(cfg.redisUrl));
    const meta = await store.meta(jobId);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return { jobId, skipped: meta.state };

    const kernel = findKernel(meta.kernel);
    const { total } = prepare(kernel, JSON.parse(meta.params), meta.total);
    if (total !== meta.total) throw new Error(`kernel '${kernel.name}' now asks for ${total} tasks, the job has ${meta.total}`);

    const ranges = [{ from: 0, to: total }];
    for (const r of ranges) {
      await invokeAsync(sibling('coordinate'), { jobId, ...r }, { deadline: deadline(2000) });
    }
    return { jobId, kernel: kernel.name, total, ranges };
  } catch (err) {
    const error = `split failed: ${errorMessage(err)}`;
    await store?.failJob(jobId, error).catch(() => {});
    return { jobId, error };
  }
}
