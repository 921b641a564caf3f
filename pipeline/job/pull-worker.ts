// Pull mode's worker: one activation claims task after task from the job's queue (one atomic claim each, with a
// lease it renews while the kernel computes) until nothing is left to claim or the job no longer runs. A worker of a
// CPU-bound kernel runs one claim at a time; one of a kernel that waits on I/O runs up to the job's `ioTasksPerWorker`
// claim loops ("lanes") side by side in its one process. Each task is started, computed and completed as in push mode
// (the completion also drops its lease); the worker that completes the job announces it. Near its deadline a worker
// hands over to a fresh one in the same slot, between tasks, so it never leaves a task half done. A worker that dies
// leaves its tasks' leases to expire: the supervisor requeues them.
import { sibling } from '../names.ts';
import { deadline, invokeAsync } from '../ow.ts';
import { errorMessage } from '../redact.ts';
import type { JobStore } from '../store/job-store.ts';
import type { StoredTaskRecord } from '../store/task-records.ts';
import { ensureSupervisor } from '../supervisor/remedies.ts';
import { announceDone } from './announce-done.ts';
import type { JobContext } from './context.ts';

/** Now and then a worker makes sure the job has a supervisor (as push-mode workers do). */
const SUPERVISOR_CHECK_EVERY = 32;
/** Least time kept back before the activation's deadline for handing over, ms. */
const HANDOVER_MIN_MS = 15_000;

/** Whether a worker with `leftMs` before its deadline should hand over instead of claiming another task. */
export function timeToHandOver(leftMs: number, slowestTaskMs: number): boolean {
  return leftMs < Math.max(HANDOVER_MIN_MS, 2 * slowestTaskMs);
}

/** Who runs the tasks: the activation and its process, for the task records. */
export interface WorkerRun {
  activationId: string;
  container: string;
  /** The activation is its container's first (only the first task it runs counts as cold). */
  cold: boolean;
  boot?: number;
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

/** Computes one task while renewing its lease every third of the lease time. */
async function computeLeased(store: JobStore, jobId: string, worker: number, ctx: JobContext, index: number): Promise<string> {
  const renew = setInterval(() => void store.renewLease(jobId, index, worker, ctx.leaseMs).catch(() => false), Math.max(100, ctx.leaseMs / 3));
  try {
    return JSON.stringify((await ctx.kernel.work(ctx.params, { index, count: ctx.total }, ctx.inputs)) ?? null);
  } finally {
    clearInterval(renew);
  }
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

export async function runPullWorker(store: JobStore, jobId: string, worker: number, ctx: JobContext, run: WorkerRun): Promise<PullWorkerOutcome> {
  const state: WorkerState = { out: { jobId, worker, counted: 0, claimed: 0 }, slowestMs: 0, stopping: false };
  const end = deadline(0);
  const lanes = Array.from({ length: claimsInFlight(ctx) }, () => runLane(store, jobId, worker, ctx, run, state, end));
  await Promise.all(lanes);
  return state.out;
}

/** Stops every lane; the first reason given stands, except that completing the job says more than any other. */
function stop(state: WorkerState, outcome: Partial<PullWorkerOutcome>): void {
  const first = !state.stopping;
  state.stopping = true;
  if (first || outcome.ended === 'completed') Object.assign(state.out, outcome);
}

/** One claim after another until the worker stops. */
async function runLane(store: JobStore, jobId: string, worker: number, ctx: JobContext, run: WorkerRun, state: WorkerState, end: number): Promise<void> {
  const { out } = state;
  while (!state.stopping) {
    if (timeToHandOver(end - Date.now(), state.slowestMs)) {
      stop(state, { ended: 'handedOver' });
      try {
        await invokeAsync(sibling('worker'), { jobId, worker }, { deadline: deadline(1000) });
      } catch (err) {
        // Not the job's end: the supervisor starts a worker in this slot once its heartbeat has gone quiet.
        delete out.ended;
        out.error = `could not hand over: ${errorMessage(err)}`;
      }
      return;
    }
    const claim = await store.claimTask(jobId, worker, ctx.leaseMs);
    if ('ended' in claim) return stop(state, { skipped: claim.ended });
    // Lanes that find the queue empty stop claiming; the others finish the tasks they hold.
    if ('empty' in claim) return stop(state, { ended: 'empty' });
    const index = claim.index;
    out.claimed++;
    const cold = run.cold && out.claimed === 1;

    const start = Date.now();
    const started = await store.startTask(jobId, index, start, run.activationId);
    if (started !== 'running') return stop(state, { skipped: started });
    let partialJson: string;
    try {
      partialJson = await computeLeased(store, jobId, worker, ctx, index);
    } catch (err) {
      const error = `task ${index} failed: ${errorMessage(err)}`;
      const f = await store.failTask(jobId, index, error, ctx.retries);
      if (f.failed) return stop(state, { error, jobFailed: true });
      if (f.retry) {
        const v = await store.requeueTask(jobId, index, `${error} (and the job's retry budget is spent)`);
        if (!v.requeued && v.why === 'budget-spent') return stop(state, { error, jobFailed: true });
      }
      continue;
    }
    const taskEnd = Date.now();
    state.slowestMs = Math.max(state.slowestMs, taskEnd - start);
    const record: StoredTaskRecord = {
      activationId: run.activationId,
      container: run.container,
      cold,
      ...(cold && run.boot !== undefined ? { boot: run.boot } : {}),
      start,
      end: taskEnd,
    };
    const r = await store.completeTask(jobId, index, partialJson, taskEnd, record);
    if (r.added) out.counted++;
    if (r.completed) return stop(state, { ended: 'completed', doneActivation: await announceDone(store, jobId) });
    if (r.added && r.done % SUPERVISOR_CHECK_EVERY === 0) await ensureSupervisor(store, jobId, deadline(1000)).catch(() => false);
  }
}
