// Composition step: waits up to `waitMs` (bounded by the activation's deadline) for a job to leave `running`, and
// answers its status `{jobId, state, done, total, ...}`, or a failed job's reason as `error`.
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/step.ts';
import { awaitJob } from '../pipeline/job/await.ts';
import { deadline } from '../pipeline/openwhisk/ow.ts';
import { errorMessage } from '../pipeline/openwhisk/redact.ts';

export async function main(p: Record<string, unknown>) {
  const jobId = jobIdOf(p);
  if (!jobId) return MALFORMED_JOB_ID;
  const waitMs = Math.max(0, Number(p.waitMs) || 0);
  try {
    const status = await awaitJob(await jobStoreFor(p), jobId, Math.min(Date.now() + waitMs, deadline(2000)));
    if (!status) return { error: `unknown job ${jobId}` };
    // An `error` field is a failure to a composition: a failed job ends the composition's loop with its reason.
    if (status.state === 'failed') return { error: `job ${jobId} failed: ${status.error}` };
    return { ...status };
  } catch (err) {
    return { error: `could not read job ${jobId}: ${errorMessage(err)}` };
  }
}
