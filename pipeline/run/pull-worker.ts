// Pull mode's worker: one activation claims task after task from the job's queue (one atomic claim each, with a
// lease it renews while the kernel computes) until nothing is left to claim or the job no longer runs. A worker of a
// CPU-bound kernel runs one claim at a time; one of a kernel that waits on I/O runs up to the job's `ioTasksPerWorker`
// claim loops ("lanes") side by side in its one process. Each task is started, computed and completed as in push mode
// (the completion also drops its lease); the worker that completes the job announces it. Near its deadline a worker
// hands over to a fresh one in the same slot, between tasks, so it never leaves a task half done. An attempt that runs
// past its time limit (the job's task timeout, or what the worker has left) is a failed attempt of its task, counted
// against its retries, and the task goes back to the queue; should its code not stop, the process's watchdog ends the
// process (pipeline/watchdog/). A worker that dies leaves its tasks' leases to expire: the supervisor requeues them.
// A cancelled job's workers claim no more once the watchdog sees it, and their running tasks' signals abort.
import { sendToKernel, workerMessage } from '../dispatch/kernel-messages.ts';
import { deadline } from '../openwhisk/ow.ts';
import { afterCompletion, taskRecord, type TaskRun } from './task-run.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { JobStore } from '../store/job-store.ts';
import { onJobEnd, watchTask } from '../watchdog/watchdog.ts';
import type { JobContext } from './context.ts';
import { partialJsonOf } from './partial-json.ts';
import { retriesAfter, taskError } from './task-error.ts';

/** Least time kept back before the activation's deadline for handing over, ms. */
const HANDOVER_MIN_MS = 15_000;
/** An attempt still running this long before the worker's deadline is given up, so its failure is recorded, ms. */
const ATTEMPT_END_MARGIN_MS = 5000;

/** Whether a worker with `leftMs` before its deadline should hand over instead of claiming another task. */
export function timeToHandOver(leftMs: number, slowestTaskMs: number): boolean {
  return leftMs < Math.max(HANDOVER_MIN_MS, 2 * slowestTaskMs);
}


export interface PullWorkerOutcome {
  jobId: string;
  worker: number;
  /** Tasks this activation counted. */
  counted: number;
  /** Tasks it claimed. */
  claimed: number;
  /** Why it stopped: nothing left to claim, handed over to a fresh worker, or the job completed (this worker's task). */
  ended?: 'empty' | 'handedOver' | 'completed';
  /** The job's state when the worker stopped because the job no longer runs. */
  skipped?: string;
  doneActivation?: string;
  error?: string;
  jobFailed?: boolean;
}

/** How one attempt ended: with its partial, or given up at its time limit while its work goes on. */
type Attempt = { partialJson: string } | { overLimit: Promise<string> };

/**
 * Computes one task while renewing its lease every third of the lease time, waiting at most `limit.ms`. The process's
 * watchdog (pipeline/watchdog/) watches the attempt: it renews the lease too, which a kernel that computes without
 * yielding keeps this thread from doing, and at the limit the task's signal aborts. Past it the attempt is given up
 * here (its failure recorded by the caller); should its work still run a moment later, or the main thread be stuck in
 * it, the watchdog records the failure (when this thread could not) and ends the process, as OpenWhisk ends an
 * activation at its time limit.
 */
async function computeLeased(store: JobStore, jobId: string, worker: number, ctx: JobContext, index: number, limit: AttemptLimit): Promise<Attempt> {
  const watch = watchTask({
    store: ctx.store,
    jobId,
    index,
    retries: ctx.retries,
    limitMs: limit.ms,
    limitError: limit.error,
    lease: { worker, leaseMs: ctx.leaseMs },
  });
  const renew = setInterval(() => void store.renewLease(jobId, index, worker, ctx.leaseMs).catch(() => false), Math.max(100, ctx.leaseMs / 3));
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = (async () => {
      const task = watch.withSignal(await ctx.taskRef(index));
      return ctx.partialToKeep(index, partialJsonOf(await ctx.kernel.work(ctx.params, task, ctx.inputs)));
    })();
    work.then(watch.end, watch.end);
    const overLimit = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), limit.ms)));
    const partialJson = await Promise.race([work, overLimit]);
    if (partialJson !== undefined) return { partialJson };
    watch.givenUp();
    return { overLimit: work };
  } finally {
    clearInterval(renew);
    clearTimeout(timer);
  }
}

const budgetSpent = (error: string) => `${error} (and the job's retry budget is spent)`;

interface AttemptLimit {
  ms: number;
  /** The failed attempt's error, should the task run past it. */
  error: string;
}

/**
 * An attempt's time limit: the job's task timeout, but no longer than the worker has left before its own time limit
 * (less a margin to record the failure), since OpenWhisk would end the attempt there; with why, for the error.
 */
function attemptLimit(index: number, taskTimeoutMs: number, workerLeftMs: number): AttemptLimit {
  const left = Math.max(1, Math.floor(workerLeftMs - ATTEMPT_END_MARGIN_MS));
  const [ms, why] = left < taskTimeoutMs ? [left, " (what its worker had left before its own time limit)"] : [taskTimeoutMs, ''];
  return { ms, error: `task ${index} exceeded its time limit of ${ms} ms${why}` };
}

/** What the lanes of one worker share: its outcome so far, the slowest task, and why it stops, once one lane decided. */
interface WorkerState {
  out: PullWorkerOutcome;
  slowestMs: number;
  /** Set once: no lane claims again. */
  stopping: boolean;
}

/** Claims in flight at once: one for CPU-bound kernels (a worker is one core), many for kernels that wait. */
export function claimsInFlight(ctx: JobContext): number {
  return ctx.kernel.waitsOnIo === true ? Math.min(ctx.ioTasksPerWorker, ctx.total) : 1;
}

export async function runPullWorker(store: JobStore, jobId: string, worker: number, ctx: JobContext, run: TaskRun): Promise<PullWorkerOutcome> {
  const state: WorkerState = { out: { jobId, worker, counted: 0, claimed: 0 }, slowestMs: 0, stopping: false };
  const end = deadline(0);
  // The watchdog sees a cancelled (or failed) job within a second or so: no lane claims again, and the running tasks'
  // signals abort.
  const unsubscribe = onJobEnd(jobId, (ended) => stop(state, { skipped: ended }));
  try {
    const lanes = Array.from({ length: claimsInFlight(ctx) }, () => runLane(store, jobId, worker, ctx, run, state, end));
    await Promise.all(lanes);
  } finally {
    unsubscribe();
  }
  return state.out;
}

/** Stops every lane; the first reason given stands, except that completing the job says more than any other. */
function stop(state: WorkerState, outcome: Partial<PullWorkerOutcome>): void {
  const first = !state.stopping;
  state.stopping = true;
  if (first || outcome.ended === 'completed') Object.assign(state.out, outcome);
}

/** One claim after another until the worker stops. */
async function runLane(store: JobStore, jobId: string, worker: number, ctx: JobContext, run: TaskRun, state: WorkerState, end: number): Promise<void> {
  const { out } = state;
  while (!state.stopping) {
    if (timeToHandOver(end - Date.now(), state.slowestMs)) {
      stop(state, { ended: 'handedOver' });
      try {
        await sendToKernel(ctx.action, workerMessage(jobId, worker), deadline(1000));
      } catch (err) {
        // Not the job's end: the supervisor starts a worker in this slot once its heartbeat has gone quiet.
        delete out.ended;
        out.error = `could not hand over: ${errorMessage(err)}`;
      }
      return;
    }
    // The claim records the attempt's start too: one round trip before the kernel runs.
    const start = Date.now();
    const claim = await store.claimTask(jobId, worker, ctx.leaseMs, start, run.activationId);
    if ('ended' in claim) return stop(state, { skipped: claim.ended });
    // Lanes that find the queue empty stop claiming; the others finish the tasks they hold.
    if ('empty' in claim) return stop(state, { ended: 'empty' });
    const index = claim.index;
    out.claimed++;
    const cold = run.cold && out.claimed === 1;
    const limit = attemptLimit(index, ctx.taskTimeoutMs, end - start);
    let attempt: Attempt;
    try {
      attempt = await computeLeased(store, jobId, worker, ctx, index, limit);
    } catch (err) {
      if (await failAttempt(store, jobId, ctx, state, index, taskError(index, err), retriesAfter(err, ctx.retries))) return;
      continue;
    }
    if ('overLimit' in attempt) {
      // Should the given-up work finish after all, its partial counts like any other: the first completion wins.
      attempt.overLimit.then((json) => completeTask(store, jobId, index, json, { run, cold, start }, state)).catch(() => {});
      if (await failAttempt(store, jobId, ctx, state, index, limit.error, ctx.retries)) return;
      continue;
    }
    const r = await completeTask(store, jobId, index, attempt.partialJson, { run, cold, start }, state);
    state.slowestMs = Math.max(state.slowestMs, Date.now() - start);
    if (r.completed) return;
  }
}

/**
 * Counts a failed attempt against the task's `retries` and puts the task back in the queue; true when the job failed
 * (its retries or the job's retry budget spent), which stops the worker.
 */
async function failAttempt(store: JobStore, jobId: string, ctx: JobContext, state: WorkerState, index: number, error: string, retries: number): Promise<boolean> {
  const f = await store.failTask(jobId, index, error, retries);
  if (f.failed) {
    stop(state, { error, jobFailed: true });
    return true;
  }
  if (f.retry) {
    const v = await store.requeueTask(jobId, index, budgetSpent(error));
    if (!v.requeued && v.why === 'budget-spent') {
      stop(state, { error, jobFailed: true });
      return true;
    }
  }
  return false;
}

/** Stores a computed partial with its record (counted once, however many attempts complete); the completing one announces the job. */
async function completeTask(
  store: JobStore,
  jobId: string,
  index: number,
  partialJson: string,
  { run, cold, start }: { run: TaskRun; cold: boolean; start: number },
  state: WorkerState,
): Promise<{ added: boolean; done: number; completed: boolean }> {
  const taskEnd = Date.now();
  const r = await store.completeTask(jobId, index, partialJson, taskEnd, taskRecord(run, cold, { start, end: taskEnd }));
  if (r.added) state.out.counted++;
  const doneActivation = await afterCompletion(store, jobId, r);
  if (r.completed) stop(state, { ended: 'completed', doneActivation });
  return r;
}
