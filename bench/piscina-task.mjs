// A task for the worker_threads baseline: the sleep kernel's work (wait `ms`, 0 = no-op), in plain JS so a worker
// thread loads it without a TypeScript loader.
import { setTimeout as delay } from 'node:timers/promises';

export default async function task({ ms }) {
  if (ms > 0) await delay(ms);
  return { slept: ms };
}
