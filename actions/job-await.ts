// Composition step: waits up to `waitMs` (bounded by the activation's deadline) for a job to leave `running`,
// looking after it meanwhile as any poller does, and answers its status `{jobId, state, done, total, ...}`, or a failed job's reason as `error`.
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/action.ts';
import { deadline } from '../pipeline/ow.ts';
import { errorMessage } from '../pipeline/redact.ts';
import { watchJob } from '../pipeline/supervisor/watch.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function main(p: Record<string, unknown>) {
  const jobId = jobIdOf(p);
  if (!jobId) return MALFORMED_JOB_ID;
  const waitMs = Math.max(0, Number(p.waitMs) || 0);
  const until = Math.min(Date.now() + waitMs, deadline(2000));
  try {
    const store = await jobStoreFor(p);
    let delay = 20;
    for (;;) {
      const st = await store.status(jobId);
      if (!st) return { error: `unknown job ${jobId}` };
      // An `error` field is a failure to a composition: a failed job ends the composition's loop with its reason.
      if (st.state === 'failed') return { error: `job ${jobId} failed: ${st.error}` };
      if (st.state !== 'running' || Date.now() + delay >= until) return { ...st };
      await watchJob(store, st);
      await sleep(delay);
      delay = Math.min(250, delay * 1.5);
    }
  } catch (err) {
    return { error: `could not read job ${jobId}: ${errorMessage(err)}` };
  }
}
