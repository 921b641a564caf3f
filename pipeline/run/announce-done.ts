// The worker that completes a job announces it: it fires `supercompute-done`, whose rule runs `reduce`. Should the
// fire fail, or the rule fail to start reduce, the worker restarts reduce itself, the supervisor's way.
import { DONE_TRIGGER } from '../openwhisk/names.ts';
import { deadline, fireTrigger, owClient } from '../openwhisk/ow.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { JobStore } from '../store/job-store.ts';
import { kickReduce } from '../supervisor/remedies.ts';

/** Whether a trigger activation's record shows a rule whose action could not be started. */
async function ruleFailed(triggerActivationId: string): Promise<boolean> {
  const ow = owClient();
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const record = (await ow.activations.get({ name: triggerActivationId })) as { logs?: unknown[] };
      return (record.logs ?? []).some((line) => {
        try {
          return (JSON.parse(String(line)) as { success?: boolean }).success === false;
        } catch {
          return false;
        }
      });
    } catch {
      // Records may take a moment to appear.
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
  return false;
}

/** Returns the trigger's activation id, or 'kicked' when reduce was started directly. */
export async function announceDone(store: JobStore, jobId: string): Promise<string> {
  let why: string;
  try {
    const id = await fireTrigger(DONE_TRIGGER, { jobId }, { deadline: deadline(5000) });
    if (!id || !(await ruleFailed(id))) return id;
    why = `the rule of trigger ${DONE_TRIGGER} could not start reduce (activation ${id})`;
  } catch (err) {
    why = errorMessage(err);
  }
  // Without the trigger nothing would reduce the job: start reduce directly, or fail the job rather than hang.
  try {
    await kickReduce(store, jobId, 0, deadline(1000));
    return 'kicked';
  } catch (err) {
    await store.failJob(jobId, `could not start reduce: ${why}; ${errorMessage(err)}`);
    throw err;
  }
}
