// The supervisor's hands: the one way a task is invoked again, a lost reduce restarted, a supervisor started, and
// pull-mode workers started.
import { sibling } from '../openwhisk/names.ts';
import { invokeAsync } from '../openwhisk/ow.ts';
import { boundedMap } from '../dispatch/pool.ts';
import type { Dispatch, JobStore, ReinvokeKind, ReinvokeVerdict } from '../store/job-store.ts';

/** After starting a supervisor, nobody starts another for this long unless one holds the lease. */
const SUPERVISOR_START_MS = 10_000;
/** A status poll looks whether a supervisor is needed at most this often per job and container. */
const NUDGE_EVERY_MS = 5000;

export interface RedispatchOptions {
  kind: ReinvokeKind;
  /** The job's error should this re-invocation find the retry budget spent. */
  budgetError: string;
  /** The dispatch mark the caller judged: nothing happens when the task was invoked again since. */
  seen?: Dispatch;
  /** Waits this long between the verdict and the invoke (a failed task's backoff), ms. */
  backoffMs?: number;
  /** No invoke attempt starts after this (epoch ms). */
  deadline: number;
  /** The job's pinned tasks action (its meta's `kernelAction`); read from the job when not given. */
  action?: string;
}

/** The job's pinned tasks action. */
async function tasksActionOf(store: JobStore, jobId: string, given?: string): Promise<string> {
  if (given) return given;
  const meta = await store.meta(jobId, false);
  if (!meta?.kernelAction) throw new Error(`job ${jobId} has no kernel action`);
  return meta.kernelAction;
}

/** Invokes a task again when the store agrees (budget, not done, not invoked since), and records the new dispatch. */
export async function redispatchTask(store: JobStore, jobId: string, index: number, o: RedispatchOptions): Promise<ReinvokeVerdict> {
  const verdict = await store.reinvoke(jobId, index, o.kind, o.budgetError, o.seen);
  if (!verdict.go) return verdict;
  if (o.backoffMs) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(o.backoffMs!, o.deadline - Date.now()))));
  const action = await tasksActionOf(store, jobId, o.action);
  const queued = Date.now();
  const id = await invokeAsync(action, { op: 'work', jobId, index, queued }, { deadline: o.deadline });
  await store.markDispatched(jobId, [[index, id]], false, queued).catch(() => undefined);
  return verdict;
}

/**
 * Pull mode: invokes workers in the given slots (at most `concurrency` invokes in flight), marked first so they get
 * time to start; returns how many were invoked, or throws the first failed invoke.
 */
export async function startWorkers(
  store: JobStore,
  jobId: string,
  slots: readonly number[],
  deadline: number,
  concurrency = 16,
  action?: string,
): Promise<number> {
  const tasksAction = await tasksActionOf(store, jobId, action);
  if ((await store.markWorkers(jobId, slots)) !== 'running') return 0;
  const { ok, errors } = await boundedMap(slots, concurrency, (worker) => invokeAsync(tasksAction, { op: 'worker', jobId, worker }, { deadline }));
  if (errors.length > 0) throw errors[0];
  return ok.filter(Boolean).length;
}

/**
 * Starts `reduce` for a job whose tasks are all done and whose last task ended at least `graceMs` ago, unless someone
 * did lately (or the job is no longer running); true when this call started it. Reduce is idempotent, so a second one changes nothing.
 */
export async function kickReduce(store: JobStore, jobId: string, graceMs: number, deadline = Date.now() + 5000): Promise<boolean> {
  if (!(await store.claimReduceKick(jobId, graceMs))) return false;
  await invokeAsync(sibling('reduce'), { jobId }, { deadline });
  return true;
}

/** Starts a supervisor for the job unless one holds its lease or one was started lately; true when this call did. */
export async function ensureSupervisor(store: JobStore, jobId: string, deadline = Date.now() + 5000): Promise<boolean> {
  if (!(await store.claimSupervisorStart(jobId, SUPERVISOR_START_MS))) return false;
  await invokeAsync(sibling('supervisor'), { jobId }, { deadline });
  return true;
}

const lastNudge = new Map<string, number>();

/**
 * For readers of a running job (status polls, waits): starts a supervisor when none holds the lease, writing nothing
 * itself (the supervisor takes the lease; a surplus one finds it held and ends). Best effort.
 */
export async function nudgeSupervisor(store: JobStore, jobId: string): Promise<void> {
  const now = Date.now();
  if (now - (lastNudge.get(jobId) ?? 0) < NUDGE_EVERY_MS) return;
  lastNudge.set(jobId, now);
  if (lastNudge.size > 1000) lastNudge.delete(lastNudge.keys().next().value as string);
  try {
    if (await store.leaseHeld(jobId)) return;
    await invokeAsync(sibling('supervisor'), { jobId }, { deadline: now + 2000 });
  } catch {
    // The next reader, or the next worker, tries again.
  }
}
