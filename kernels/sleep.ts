import { setTimeout as delay } from 'node:timers/promises';
import type { Kernel } from './types.ts';
import { checkFields, checkTaskRef, checkTasks, numberField } from './params.ts';

export interface SleepParams {
  ms: number;
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

export const sleep = {
  name: NAME,
  description: 'Each task waits ms milliseconds on a timer (0: the trivial task), for measuring orchestration.',
  parse(raw) {
    const p = checkFields(NAME, raw, ['ms']);
    return { ms: numberField(NAME, p, 'ms', { min: 0, max: MAX_SLEEP_MS, integer: true, allowString: true }) };
  },
  split(_params, tasks) {
    return checkTasks(NAME, tasks);
  },
  async work(params, task) {
    checkTaskRef(NAME, task);
    await waitAtLeast(params.ms);
    return { slept: params.ms };
  },
  reduce(_params, partials) {
    let totalMs = 0;
    for (const part of partials) totalMs += part.slept;
    return { tasks: partials.length, totalMs };
  },
  /** Runs `tasks` tasks (default 1) one after another. */
  async reference(params: SleepParams, tasks = 1) {
    for (let i = 0; i < tasks; i++) await waitAtLeast(params.ms);
    return { tasks, totalMs: tasks * params.ms };
  },
  // Its tasks wait on a timer and use no CPU, so many can share one worker.
  waitsOnIo: true,
  estimate() {
    return { cpuMs: 0 };
  },
} satisfies Kernel<SleepParams, SleepPartial, SleepResult>;
