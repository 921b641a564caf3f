// The one way a task is invoked again (a failed task's retry, a lost or timed-out task the supervisor finds), and the
// one way pull-mode workers are started (by split, a leaf coordinator, or the supervisor for quiet slots).
import { boundedMap } from './pool.ts';
import { sendToKernel, workMessage, workerMessage } from './kernel-messages.ts';
import type { Dispatch, JobStore, ReinvokeKind, ReinvokeVerdict } from '../store/job-store.ts';

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
  const id = await sendToKernel(action, workMessage(jobId, index, queued), o.deadline);
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
  const { ok, errors } = await boundedMap(slots, concurrency, (worker) => sendToKernel(tasksAction, workerMessage(jobId, worker), deadline));
  if (errors.length > 0) throw errors[0];
  return ok.filter(Boolean).length;
}
