// Containment of a kernel's runaway code: one watchdog thread per kernel action process (pipeline/watchdog/thread.ts),
// started with its first task. Every task a worker computes is watched: the thread renews a pull-mode task's lease
// while it runs (the main thread may be stuck in the kernel), ends the process when a task runs past its time limit
// or on after its job was cancelled, and says when a watched job has ended, so that its tasks' signals abort and its
// workers claim no more. The main thread tells the thread of each task's start and end in one message each.
import { Worker } from 'node:worker_threads';
import threadSource from 'supercompute:watchdog-thread';
import type { JobEndedMessage, MainMessage, WatchMessage } from './messages.ts';

let thread: Worker | undefined;
let broken = false;
let nextId = 1;
/** The aborts of the running tasks, by job. */
const running = new Map<string, Set<AbortController>>();
const endListeners = new Map<string, Set<(state: string) => void>>();

function onJobEnded({ jobId, state }: JobEndedMessage): void {
  for (const c of running.get(jobId) ?? []) c.abort(new Error(`job ${jobId} is ${state}`));
  for (const listener of endListeners.get(jobId) ?? []) listener(state);
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
  thread.on('message', onJobEnded);
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

/** Watches one attempt from now until `end`; `limitMs` from now its signal aborts, and the watchdog acts soon after. */
export function watchTask(task: Omit<WatchMessage, 'type' | 'id' | 'limitAt'> & { limitMs: number; limitError: string }): TaskWatch {
  const id = nextId++;
  const { limitMs, limitError, ...rest } = task;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(limitError)), limitMs);
  let tasks = running.get(task.jobId);
  if (!tasks) running.set(task.jobId, (tasks = new Set()));
  tasks.add(controller);
  send({ type: 'watch', id, limitAt: Date.now() + limitMs, ...rest });
  let ended = false;
  return {
    signal: controller.signal,
    givenUp: () => send({ type: 'givenUp', id }),
    end() {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      tasks.delete(controller);
      if (tasks.size === 0 && running.get(task.jobId) === tasks) running.delete(task.jobId);
      send({ type: 'end', id });
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
