// How many tasks a job has and how many pull workers run them, when the request did not say both: one pure decision
// from the kernel's profile, the target's limits and the worker slots (cores, or invoker slots) that run workers.
// The entry action uses it for a request without `tasks`; the CLI, which sees more of the target, plans before it
// submits and prints the plan. CPU-bound work wants one worker per slot, each running one task at a time; work that
// waits wants few workers, each with many tasks in flight.

import type { Mode } from '../job/mode.ts';

/** Tasks per CPU-bound worker: enough that a worker finishing early takes the next and unequal tasks balance. */
export const TASKS_PER_WORKER = 8;
/** The least CPU time worth a task: a task's own claim, start and completion cost ~1–2 ms. */
export const MIN_TASK_MS = 50;
/** Tasks of an I/O-waiting kernel that has no count of its own. */
export const DEFAULT_IO_TASKS = 64;
/** Concurrent invocations left to the job's entry action, split, supervisor, reduce and status polls. */
export const RESERVED_INVOCATIONS = 4;
/** OpenWhisk's default action time limit: assumed for the worker when its own is not known, ms. */
export const DEFAULT_WORKER_TIMEOUT_MS = 60_000;
/** A task's share of the worker's time limit at most: it hands over between tasks, so a task must fit well inside. */
const TASK_SHARE_OF_TIMEOUT = 1 / 4;

export interface SizingInputs {
  kernel: string;
  /** The kernel's tasks wait more than they compute. */
  waitsOnIo: boolean;
  /** The kernel's estimate of the whole job's serial CPU time, ms; absent when it has none. */
  cpuMs?: number;
  /** The most tasks the kernel can split these params into. */
  kernelMaxTasks?: number;
  /** Asked for; absent: planned. */
  tasks?: number;
  /** Asked for; absent: planned (pull mode, unless `tasks` is given without workers at the entry action). */
  mode?: Mode;
  /** Pull workers asked for; absent: planned. */
  workers?: number;
  /** Workers that can compute at once: cores of this machine, or the invokers' slots. */
  slots: number;
  /** Where `slots` came from, for the reasons ("2 cores on this machine"). */
  slotsFrom: string;
  /** The namespace's concurrent invocations limit, when known. */
  concurrentInvocations?: number;
  /** The `worker` action's time limit, ms, when known. */
  workerTimeoutMs?: number;
  /** The deployment's bounds on any request. */
  maxTasks: number;
  maxWorkers: number;
  /** Tasks one worker of an I/O-waiting kernel keeps in flight (the deployment's setting). */
  ioTasksPerWorker: number;
}

export interface SizingPlan {
  tasks: number;
  mode: Mode;
  /** Pull workers; 0 = push mode, one activation per task. */
  workers: number;
  /** Why, one short reason each. */
  why: string[];
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, n));
}

function formatMs(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${s < 10 ? s.toFixed(1) : Math.round(s).toLocaleString('en-US')} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Workers one job may run at once: the deployment's bound and the concurrent invocations the rest of it leaves. */
function workerCap(i: SizingInputs, why: string[]): number {
  let cap = i.maxWorkers;
  if (i.concurrentInvocations !== undefined) {
    const left = Math.max(1, i.concurrentInvocations - RESERVED_INVOCATIONS);
    if (left < cap) {
      cap = left;
      if (left < i.slots) why.push(`at most ${left} workers: ${i.concurrentInvocations} concurrent invocations less ${RESERVED_INVOCATIONS} for the pipeline`);
    }
  }
  return cap;
}

function cpuBoundTasks(i: SizingInputs, workers: number, taskCap: number, why: string[]): number {
  const target = TASKS_PER_WORKER * Math.max(1, workers);
  if (i.cpuMs === undefined) {
    why.push(`${Math.min(target, taskCap)} tasks: ${TASKS_PER_WORKER} per worker (no estimate of the job's size)`);
    return clamp(target, 1, taskCap);
  }
  const timeoutMs = i.workerTimeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS;
  const fewest = Math.ceil(i.cpuMs / (timeoutMs * TASK_SHARE_OF_TIMEOUT));
  const most = Math.max(1, Math.floor(i.cpuMs / MIN_TASK_MS));
  let tasks: number;
  if (fewest > target) {
    tasks = fewest;
    why.push(`${tasks} tasks: each well inside the worker's ${formatMs(timeoutMs)} time limit`);
  } else if (most < target) {
    // As many tasks per worker as the job allows, so none idles while another has two.
    tasks = most >= workers ? most - (most % workers) : most;
    why.push(`${plural(tasks, 'task')}: none smaller than ${MIN_TASK_MS} ms of CPU`);
  } else {
    tasks = target;
    why.push(`${tasks} tasks: ${TASKS_PER_WORKER} per worker, so unequal tasks balance`);
  }
  if (tasks > taskCap) {
    why.push(`${taskCap} tasks: the most the kernel or the deployment allows`);
    tasks = taskCap;
  }
  return Math.max(1, tasks);
}

/** The job's task count and pull workers, and why. Asked-for values are kept; what is missing is derived. */
export function decideSizing(i: SizingInputs): SizingPlan {
  const why: string[] = [];
  const taskCap = Math.max(1, Math.min(i.maxTasks, i.kernelMaxTasks ?? Infinity));
  const push = i.mode === 'push';
  if (i.tasks !== undefined && push) return { tasks: i.tasks, mode: 'push', workers: 0, why: ['tasks as asked, push mode as asked'] };
  if (i.tasks !== undefined && i.workers !== undefined) {
    return { tasks: i.tasks, mode: 'pull', workers: i.workers, why: ['tasks and workers as asked'] };
  }
  const cap = workerCap(i, why);

  if (i.waitsOnIo) {
    why.unshift(`${i.kernel} waits on I/O: each worker runs up to ${i.ioTasksPerWorker} tasks at once`);
    let tasks = i.tasks;
    if (tasks === undefined) {
      tasks = clamp(Math.max(DEFAULT_IO_TASKS, i.workers ?? 0), 1, taskCap);
      why.push(`${tasks} tasks: the kernel has no task count of its own`);
    } else why.push(`${plural(tasks, 'task')} as asked`);
    if (push) return { tasks, mode: 'push', workers: 0, why: [...why, 'push mode as asked: one activation per task'] };
    if (i.workers !== undefined) return { tasks, mode: 'pull', workers: Math.min(i.workers, tasks), why: [...why, `${plural(i.workers, 'worker')} as asked`] };
    const workers = clamp(Math.ceil(tasks / i.ioTasksPerWorker), 1, cap);
    return { tasks, mode: 'pull', workers, why: [...why, `${plural(workers, 'worker')}: ${i.ioTasksPerWorker} tasks in flight each`] };
  }

  why.unshift(
    i.cpuMs === undefined ? `${i.kernel} is CPU-bound: one task at a time per worker` : `${i.kernel}: ${i.cpuMs < 1 ? 'under 1 ms' : `~${formatMs(i.cpuMs)}`} of CPU, one task at a time per worker`,
  );
  let workers: number;
  if (i.workers !== undefined && !push) {
    workers = i.workers;
    why.push(`${plural(workers, 'worker')} as asked`);
  } else {
    workers = clamp(i.slots, 1, cap);
    if (!push) why.push(`${plural(workers, 'worker')}: one per slot (${i.slotsFrom})`);
  }
  let tasks: number;
  if (i.tasks !== undefined) {
    tasks = i.tasks;
    why.push(`${plural(tasks, 'task')} as asked`);
  } else tasks = cpuBoundTasks(i, workers, taskCap, why);
  if (push) return { tasks, mode: 'push', workers: 0, why: [...why, 'push mode as asked: one activation per task'] };
  if (workers > tasks) {
    workers = tasks;
    why.push(`${plural(workers, 'worker')}: no more than tasks`);
  }
  return { tasks, mode: 'pull', workers, why };
}

/** The plan in one line: "16 tasks on 2 workers (pull mode)". */
export function describePlan(plan: SizingPlan): string {
  const tasks = plural(plan.tasks, 'task');
  return plan.mode === 'push' ? `${tasks}, one activation each (push mode)` : `${tasks} on ${plural(plan.workers, 'worker')} (pull mode)`;
}
