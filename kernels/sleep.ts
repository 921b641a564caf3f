import { setTimeout as delay } from 'node:timers/promises';
import type { Kernel, WholeInput } from './types.ts';
import { defineKernel } from './define.ts';
import { checkFields, checkTaskRef, checkTasks, numberField } from './params.ts';
import { KernelInputError } from './types.ts';

export interface SleepParams {
  ms: number;
  /** One task that waits `slowMs` instead (a straggler, or with a long wait a task that seems to hang). */
  slowTask?: number;
  slowMs?: number;
}
export interface SleepPartial {
  slept: number;
}
export interface SleepResult {
  tasks: number;
  totalMs: number;
}

const NAME = 'sleep';
export const MAX_SLEEP_MS = 60_000;

/**
 * Waits at least `ms` by the wall clock: a timer measures against the event loop's cached time and may fire up to a
 * millisecond early by `Date.now()`, which task records use.
 */
async function waitAtLeast(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) await delay(left);
}

/** How long task `index` waits. */
function msOf(params: SleepParams, index: number): number {
  return index === params.slowTask ? (params.slowMs ?? params.ms) : params.ms;
}

export const sleep = {
  name: NAME,
  description:
    'Each task waits ms milliseconds on a timer (0: the trivial task), for measuring orchestration; task slowTask, if given, waits slowMs instead.',
  params: {
    ms: 'milliseconds each task waits, 0 to 60000 (required)',
    slowTask: 'index of one task that waits slowMs instead (optional)',
    slowMs: 'what task slowTask waits, ms, 0 to 60000 (with slowTask)',
  },
  parse(raw) {
    const p = checkFields(NAME, raw, ['ms', 'slowTask', 'slowMs']);
    const ms = numberField(NAME, p, 'ms', { min: 0, max: MAX_SLEEP_MS, integer: true, allowString: true });
    if (p.slowTask === undefined) {
      if (p.slowMs !== undefined) throw new KernelInputError(`${NAME}: field "slowMs" needs "slowTask"`);
      return { ms };
    }
    return {
      ms,
      slowTask: numberField(NAME, p, 'slowTask', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, allowString: true }),
      slowMs: numberField(NAME, p, 'slowMs', { min: 0, max: MAX_SLEEP_MS, integer: true, allowString: true }),
    };
  },
  split(_params, tasks) {
    return checkTasks(NAME, tasks);
  },
  async work(params, task) {
    checkTaskRef(NAME, task);
    const ms = msOf(params, task.index);
    await waitAtLeast(ms);
    return { slept: ms };
  },
  reduce(_params, partials) {
    let totalMs = 0;
    for (const part of partials) totalMs += part.slept;
    return { tasks: partials.length, totalMs };
  },
  /** Runs `tasks` tasks (default 1) one after another; sleep reads no input. */
  async reference(params: SleepParams, _input?: WholeInput, tasks = 1) {
    let totalMs = 0;
    for (let i = 0; i < tasks; i++) {
      await waitAtLeast(msOf(params, i));
      totalMs += msOf(params, i);
    }
    return { tasks, totalMs };
  },
  // Its tasks wait on a timer and use no CPU, so many can share one worker.
  waitsOnIo: true,
  estimate() {
    return { cpuMs: 0 };
  },
} satisfies Kernel<SleepParams, SleepPartial, SleepResult>;

export default defineKernel(sleep);
