// Composition step: checks the recorded job's parameters against its kernel and describes its tasks as one index
// range for `coordinate` (which builds the tree of coordinators itself). Throws nothing: errors are results.
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/action.ts';
import { findKernel, prepare } from '../pipeline/kernels.ts';
import { errorMessage } from '../pipeline/redact.ts';

export async function main(p: Record<string, unknown>) {
  const jobId = jobIdOf(p);
  if (!jobId) return MALFORMED_JOB_ID;
  try {
    const store = await jobStoreFor(p);
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
