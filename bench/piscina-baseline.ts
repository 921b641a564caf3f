// The baseline for orchestration: the same sleep / no-op tasks through a worker_threads pool in one process.
import { cpus } from 'node:os';
import { Piscina } from 'piscina';
import { elapsedMs } from './stats.ts';

export interface PoolRun {
  tasks: number;
  sleepMs: number;
  threads: number;
  /** First task submitted → last result back. */
  endToEndMs: number;
  /** endToEndMs − sleepMs: the pool's cost of running them all at once. */
  overheadMs: number;
  overheadPerTaskMs: number;
}

export async function piscinaRun(tasks: number, sleepMs: number): Promise<PoolRun> {
  const threads = cpus().length;
  const pool = new Piscina({
    filename: new URL('./piscina-task.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // Every task in flight at once, as the pipeline does with raised work concurrency.
    concurrentTasksPerWorker: Math.ceil(tasks / threads),
    maxQueue: tasks,
  });
  try {
    await Promise.all(Array.from({ length: threads * 4 }, () => pool.run({ ms: 0 })));
    const t = process.hrtime.bigint();
    await Promise.all(Array.from({ length: tasks }, () => pool.run({ ms: sleepMs })));
    const endToEndMs = elapsedMs(t);
    const overheadMs = Math.max(0, endToEndMs - sleepMs);
    return { tasks, sleepMs, threads, endToEndMs, overheadMs, overheadPerTaskMs: overheadMs / tasks };
  } finally {
    await pool.destroy();
  }
}
