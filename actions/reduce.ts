// Run by rule `supercompute-done-reduce` when the last task is done (or by the supervisor, for a lost reduce): asks the
// job's pinned kernel version to reduce (its control action, `op: reduce`), which merges the partials and stores the
// result. Running it twice changes nothing.
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/step.ts';
import { callKernel } from '../pipeline/kernel-actions/control.ts';
import { deadline } from '../pipeline/openwhisk/ow.ts';
import { errorMessage } from '../pipeline/openwhisk/redact.ts';

export async function main(params: Record<string, unknown>) {
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  try {
    const store = await jobStoreFor(params);
    const meta = await store.meta(jobId, false);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return { jobId, state: meta.state, reduced: false };
    return await callKernel<Record<string, unknown>>(meta.kernelControl, 'reduce', { jobId }, { deadline: deadline(1000) });
  } catch (err) {
    return { jobId, error: `reduce: ${errorMessage(err)}` };
  }
}
