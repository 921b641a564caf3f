// Containment of a kernel's runaway code: one watchdog thread per kernel action process (pipeline/watchdog/thread.ts),
// started with its first task. Every task a worker computes is watched: the thread renews a pull-mode task's lease
// while it runs (the main thread may be stuck in the kernel), ends the process when a task runs past its time limit
// or on after its job ended, and says when a task passes its limit or a watched job ends, so that the tasks' signals
// abort and the job's workers claim no more. A task costs the main thread two small messages and an AbortController.
import { Worker } from 'node:worker_threads';
import threadSource from 'supercompute:watchdog-thread';
import type { MainMessage, StoreAddress, WatchdogMessage } from './messages.ts';

let thread: Worker | undefined;
let broken = false;
let nextId = 1;
/** Jobs the thread was told of. */
const announced = new Set<string>();
/** The running tasks' aborts, by watch id and by job. */
const byId = new Map<number, AbortController>();
const byJob = new Map<string, Set<AbortController>>();
const endListeners = new Map<string, Set<(state: string) => void>>();

function onMessage(m: WatchdogMessage): void {
  if (m.type === 'overLimit') return byId.get(m.id)?.abort(new Error('the task passed its time limit'));
  for (const c of byJob.get(m.jobId) ?? []) c.abort(new Error(`job ${m.jobId} is ${m.state}`));
  for (const listener of endListeners.get(m.jobId) ?? []) listener(m.state);
}

/** The process's watchdog thread, started once; undefined when threads cannot start here (tasks then run unwatched). */
function watchdog(): Worker | undefined {
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
  /** Aborted when the attempt passes its time limit or its job ends: the kernel's cue to stop. */
  signal: AbortSignal;
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
  const controller = new AbortController();
  if (!announced.has(t.jobId)) {
    announced.add(t.jobId);
    send({ type: 'job', jobId: t.jobId, store: t.store, retries: t.retries });
  }
  send([id, t.jobId, t.index, Date.now() + t.limitMs, t.lease?.worker ?? -1, t.lease?.leaseMs ?? 0, t.lease ? t.limitError : '']);
  byId.set(id, controller);
  let tasks = byJob.get(t.jobId);
  if (!tasks) byJob.set(t.jobId, (tasks = new Set()));
  tasks.add(controller);
  let ended = false;
  return {
    signal: controller.signal,
    givenUp: () => send(-id),
    end() {
      if (ended) return;
      ended = true;
      byId.delete(id);
      tasks.delete(controller);
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
