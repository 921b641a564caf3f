// `op: work`: runs one task of a push-mode job (pull mode's workers are `op: worker`): records its start, computes the
// kernel's partial, and stores partial, done mark and the task's record (activation, container, cold or warm,
// queued/start/end times) in one step.
// The worker whose mark completes the job announces it (the done trigger, whose rule runs reduce). A failing task is
// invoked again after a backoff until its retries or the job's retry budget are spent; then the job fails. An error
// that no attempt can cure (an input object changed since the split) fails the job at once.
import type { AnyKernel } from '../../kernels/types.ts';
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../job/step.ts';
import { jobContext } from './context.ts';
import { partialJsonOf } from './partial-json.ts';
import { deadline } from '../openwhisk/ow.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import { type JobStore, UnknownJobError } from '../store/job-store.ts';
import { StoreUnavailableError } from '../store/unavailable.ts';
import { redispatchTask } from '../dispatch/redispatch.ts';
import { afterCompletion, beginTaskRun, taskRecord } from './task-run.ts';
import { watchdog, watchTask } from '../watchdog/watchdog.ts';
import { retriesAfter, taskError } from './task-error.ts';

/** When the task was dispatched, as its message says (absent from a hand-made call). */
function queuedOf(params: Record<string, unknown>): number | undefined {
  const queued = Number(params.queued);
  return params.queued !== undefined && Number.isFinite(queued) ? queued : undefined;
}

/**
 * Invokes a failed task again after a backoff (full jitter, 100 ms doubling per attempt, at most 5 s), paid from the
 * job's retry budget; false when it will not run again (budget spent, job no longer running, or the invoke failed).
 */
async function retryTask(store: JobStore, jobId: string, index: number, error: string, attempts: number, action: string): Promise<boolean> {
  try {
    const v = await redispatchTask(store, jobId, index, {
      kind: 'failed',
      budgetError: `${error} (and the job's retry budget is spent)`,
      backoffMs: Math.random() * Math.min(5000, 100 * 2 ** Math.max(0, attempts - 1)),
      deadline: deadline(1000),
      action,
    });
    return v.go;
  } catch (invokeErr) {
    await store.failJob(jobId, `${error} (and could not be retried: ${errorMessage(invokeErr)})`);
    return false;
  }
}

export async function runTask(kernel: AnyKernel, params: Record<string, unknown>) {
  const run = beginTaskRun();
  const start = Date.now();
  watchdog();
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  const index = Number(params.index);
  if (!Number.isInteger(index) || index < 0) return { error: "parameter 'index' must be an integer >= 0" };
  let store: JobStore | undefined;
  try {
    store = await jobStoreFor(params);
    const ctx = await jobContext(store, jobId, kernel, params);
    if ('ended' in ctx) return { jobId, index, skipped: ctx.ended };
    if (index >= ctx.total) return { error: `task ${index} is outside the job's ${ctx.total} tasks` };

    const state = await store.startTask(jobId, index, Date.now(), run.activationId);
    if (state !== 'running') return { jobId, index, skipped: state };

    // The process's watchdog ends a task still running a moment past the task timeout, or after its job ended: the
    // supervisor then finds the started task past its timeout (pipeline/supervisor/decide.ts).
    const watch = watchTask({
      store: ctx.store,
      jobId,
      index,
      retries: ctx.retries,
      limitMs: ctx.taskTimeoutMs,
      limitError: `task ${index} did not finish within ${ctx.taskTimeoutMs} ms`,
    });
    let partialJson: string;
    try {
      const task = watch.withSignal(await ctx.taskRef(index));
      partialJson = await ctx.partialToKeep(index, partialJsonOf(await ctx.kernel.work(ctx.params, task, ctx.inputs)));
      watch.end();
    } catch (err) {
      watch.end();
      const error = taskError(index, err);
      const f = await store.failTask(jobId, index, error, retriesAfter(err, ctx.retries));
      const retrying = f.retry && (await retryTask(store, jobId, index, error, f.attempts, ctx.action));
      return { jobId, index, error, attempts: f.attempts, retrying, jobFailed: f.failed };
    }

    const end = Date.now();
    const r = await store.completeTask(jobId, index, partialJson, end, taskRecord(run, run.cold, { queued: queuedOf(params), start, end }));
    const doneActivation = await afterCompletion(store, jobId, r);
    return { jobId, index, counted: r.added, done: r.done, total: ctx.total, ...(doneActivation !== undefined ? { doneActivation } : {}) };
  } catch (err) {
    if (err instanceof UnknownJobError) return { jobId, index, error: err.message };
    const error = `task ${index}: ${errorMessage(err)}`;
    // A job whose tasks cannot even start (its kernel or params no longer load) must fail, not hang.
    if (!(err instanceof StoreUnavailableError)) await store?.failJob(jobId, error).catch(() => {});
    return { jobId, index, error };
  }
}
