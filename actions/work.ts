// Runs one task: records its start, computes the kernel's partial, and stores partial and done mark in one step.
// The worker whose mark completes the job fires the done trigger. A failing task is re-invoked until its retry
// budget is spent, then the job fails with the task's error.
import { readConfig } from '../lib/config.ts';
import { jobContext } from '../lib/job-context.ts';
import { JobStore, UnknownJobError } from '../lib/job-store.ts';
import { DONE_TRIGGER, sibling } from '../lib/names.ts';
import { deadline, fireTrigger, invokeAsync } from '../lib/ow.ts';
import { errorMessage, registerEnvSecrets } from '../lib/redact.ts';
import { getRedis, StoreUnavailableError } from '../lib/redis.ts';
import { ruleFailed } from '../lib/watchdog.ts';
import { isJobId } from '../lib/ids.ts';

async function announceDone(store: JobStore, jobId: string): Promise<string> {
  try {
    const id = await fireTrigger(DONE_TRIGGER, { jobId }, { deadline: deadline(5000) });
    if (!id || !(await ruleFailed(id))) return id;
    throw new Error(`the rule of trigger ${DONE_TRIGGER} could not start reduce (activation ${id})`);
  } catch (fireErr) {
    // Without the trigger nothing would reduce the job: run reduce directly, or fail the job rather than hang.
    try {
      return await invokeAsync(sibling('reduce'), { jobId }, { deadline: deadline(1000) });
    } catch (invokeErr) {
      await store.failJob(jobId, `could not start reduce: ${errorMessage(fireErr)}; ${errorMessage(invokeErr)}`);
      throw invokeErr;
    }
  }
}

export async function main(params: Record<string, unknown>) {
  registerEnvSecrets(params);
  const jobId = params.jobId;
  const index = Number(params.index);
  if (!isJobId(jobId)) return { error: "missing or malformed parameter 'jobId'" };
  if (!Number.isInteger(index) || index < 0) return { error: "parameter 'index' must be an integer >= 0" };
  let store: JobStore | undefined;
  try {
    store = new JobStore(await getRedis(readConfig(params).redisUrl));
    const ctx = await jobContext(store, jobId);
    if (index >= ctx.total) return { error: `task ${index} is outside the job's ${ctx.total} tasks` };

    const state = await store.start(jobId, index);
    if (state !== 'running') return { jobId, index, skipped: state };

    let partialJson: string;
    try {
      const partial = await ctx.kernel.work(ctx.params, { index, count: ctx.total });
      partialJson = JSON.stringify(partial ?? null);
    } catch (err) {
      const error = `task ${index} failed: ${errorMessage(err)}`;
      const f = await store.failTask(jobId, index, error, ctx.retries);
      if (f.retry) {
        try {
          await invokeAsync(sibling('work'), { jobId, index }, { deadline: deadline(1000) });
        } catch (invokeErr) {
          await store.failJob(jobId, `${error} (and could not be retried: ${errorMessage(invokeErr)})`);
        }
      }
      return { jobId, index, error, attempts: f.attempts, retrying: f.retry, jobFailed: f.failed };
    }

    const r = await store.complete(jobId, index, partialJson);
    const result: Record<string, unknown> = { jobId, index, counted: r.added, done: r.done, total: ctx.total };
    if (r.completed) result.doneActivation = await announceDone(store, jobId);
    return result;
  } catch (err) {
    if (err instanceof UnknownJobError) return { jobId, index, error: err.message };
    const error = `task ${index}: ${errorMessage(err)}`;
    // A job whose tasks cannot even start (its kernel or params no longer load) must fail, not hang.
    if (!(err instanceof StoreUnavailableError)) await store?.failJob(jobId, error).catch(() => {});
    return { jobId, index, error };
  }
}
