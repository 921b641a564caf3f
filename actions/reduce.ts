// Run by rule `supercompute-done-reduce` when the last task is done (or by the supervisor, for a lost reduce): asks the
// job's pinned kernel version to reduce (its control action, `op: reduce`), which merges the partials and stores the
// result. Running it twice changes nothing.
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/action.ts';
import { callKernel } from '../pipeline/kernel-control.ts';
import { deadline } from '../pipeline/ow.ts';
import { errorMessage } from '../pipeline/redact.ts';

export async function main(params: Record<string, unknown>) {
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  try {
    const store = await jobStoreFor(params);
    const meta = await store.meta(jobId, false);
    if (!meta) return { error: `unknown job ${jobId}` };
    // A shuffle that ended without its dataset still goes to its kernel, which removes the shuffle's objects.
    const discard = meta.shuffle !== undefined && (meta.state === 'failed' || meta.state === 'cancelled');
    if (meta.state !== 'running' && !discard) return { jobId, state: meta.state, reduced: false };
    return await callKernel<Record<string, unknown>>(meta.kernelControl, 'reduce', { jobId }, { deadline: deadline(1000) });
  } catch (err) {
    return { jobId, error: `reduce: ${errorMessage(err)}` };
  }
}
