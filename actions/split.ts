// Describes a job's tasks as index ranges and hands them to the root coordinator.
import type { JobStore } from '../pipeline/store/job-store.ts';
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/action.ts';
import { findKernel, prepare } from '../pipeline/kernels.ts';
import { sibling } from '../pipeline/names.ts';
import { deadline, invokeAsync } from '../pipeline/ow.ts';
import { errorMessage } from '../pipeline/redact.ts';

export async function main(params: Record<string, unknown>) {
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  let store: JobStore | undefined;
  try {
    store = await jobStoreFor(params);
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
