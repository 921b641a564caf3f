// Containment of a kernel's runaway code: one watchdog thread per kernel action process (pipeline/watchdog/thread.ts),
// started with its first task. Every task a worker computes is watched: the thread renews a pull-mode task's lease
// while it runs (the main thread may be stuck in the kernel), ends the process when a task runs past its time limit
// or on after its job ended, and says when a task passes its limit or a watched job ends, so that the tasks' signals
// abort and the job's workers claim no more. A task costs the main thread two small messages (and an AbortController
// when its kernel reads `task.signal`).
import { Worker } from 'node:worker_threads';
import threadSource from 'supercompute:watchdog-thread';
import type { MainMessage, StoreAddress, WatchdogMessage } from './messages.ts';

let thread: Worker | undefined;
let broken = false;
let nextId = 1;
/** Jobs the thread was told of. */
const announced = new Set<string>();
type Abort = (reason: Error) => void;
/** The running tasks' aborts, by watch id and by job. */
const byId = new Map<number, Abort>();
const byJob = new Map<string, Set<Abort>>();
const endListeners = new Map<string, Set<(state: string) => void>>();

function onMessage(m: WatchdogMessage): void {
  if (m.type === 'overLimit') return byId.get(m.id)?.(new Error('the task passed its time limit'));
  for (const abort of byJob.get(m.jobId) ?? []) abort(new Error(`job ${m.jobId} is ${m.state}`));
  for (const listener of endListeners.get(m.jobId) ?? []) listener(m.state);
}

/**
 * The process's watchdog thread, started once; undefined when threads cannot start here (tasks then run unwatched).
 * A worker starts it before it reads its job, so that the thread is up (and has its own connection) before the first
 * task's lease needs renewing.
 */
export function watchdog(): Worker | undefined {
  if (thread || broken) return thread;
  try {
    thread = new Worker(threadSource, { eval: true, name: 'supercompute-watchdog' });
  } catch {
    broken = true;
    return undefined;
  }
  thread.unref();
  thread.on('message', onMessage);
  thread.on('error', () => {
    thread = undefined;
    broken = true;
  });
  return thread;
}

function send(message: MainMessage): void {
  watchdog()?.postMessage(message);
}

export interface TaskWatch {
  /**
   * `task` with its `signal`, aborted when the attempt passes its time limit or its job ends: the kernel's cue to stop.
   * Made when the kernel first reads it, so a kernel that never looks pays nothing for it.
   */
  withSignal<T extends object>(task: T): T & { readonly signal: AbortSignal };
  /** The main thread gave the attempt up and records its failure itself. */
  givenUp(): void;
  /** The task's work settled. */
  end(): void;
}

export interface WatchedTask {
  store: StoreAddress;
  jobId: string;
  index: number;
  /** The job's retries per task (for a failed attempt the watchdog records). */
  retries: number;
  limitMs: number;
  /** The failed attempt's error, should the task run past its limit. */
  limitError: string;
  /** Pull mode: the lease the watchdog renews while the task runs, and records the failed attempt of (and requeues). */
  lease?: { worker: number; leaseMs: number };
}

/** Watches one attempt from now until `end`. */
export function watchTask(t: WatchedTask): TaskWatch {
  const id = nextId++;
  let controller: AbortController | undefined;
  let reason: Error | undefined;
  const abort: Abort = (why) => {
    reason ??= why;
    controller?.abort(why);
  };
  if (!announced.has(t.jobId)) {
    announced.add(t.jobId);
    send({ type: 'job', jobId: t.jobId, store: t.store, retries: t.retries });
  }
  send([id, t.jobId, t.index, Date.now() + t.limitMs, t.lease?.worker ?? -1, t.lease?.leaseMs ?? 0, t.lease ? t.limitError : '']);
  byId.set(id, abort);
  let tasks = byJob.get(t.jobId);
  if (!tasks) byJob.set(t.jobId, (tasks = new Set()));
  tasks.add(abort);
  let ended = false;
  const signal = (): AbortSignal => {
    if (!controller) {
      controller = new AbortController();
      if (reason) controller.abort(reason);
    }
    return controller.signal;
  };
  return {
    withSignal: (task) => Object.defineProperty(task, 'signal', { get: signal, enumerable: true }) as typeof task & { readonly signal: AbortSignal },
    givenUp: () => send(-id),
    end() {
      if (ended) return;
      ended = true;
      byId.delete(id);
      tasks.delete(abort);
      if (tasks.size === 0 && byJob.get(t.jobId) === tasks) byJob.delete(t.jobId);
      send(id);
    },
  };
}

/** Calls `listener` once the watchdog sees the job end (while a task of it is watched); returns the unsubscribe. */
export function onJobEnd(jobId: string, listener: (state: string) => void): () => void {
  let listeners = endListeners.get(jobId);
  if (!listeners) endListeners.set(jobId, (listeners = new Set()));
  listeners.add(listener);
  const set = listeners;
  return () => {
    set.delete(listener);
    if (set.size === 0 && endListeners.get(jobId) === set) endListeners.delete(jobId);
  };
}
