// A task's run, the same in both modes: who runs it (the activation and its process), the record stored with its
// partial, and what follows a counted completion (announcing the job's end, or now and then making sure the job has a
// supervisor).
import { deadline } from '../openwhisk/ow.ts';
import type { JobStore } from '../store/job-store.ts';
import type { StoredTaskRecord } from '../store/task-records.ts';
import { ensureSupervisor } from '../supervisor/remedies.ts';
import { announceDone } from './announce-done.ts';
import { CONTAINER_ID, PROCESS_START, takeFirstRun } from './worker-process.ts';

/** Now and then a worker makes sure the job has a supervisor (one claim in Redis; nothing when one holds the lease). */
export const SUPERVISOR_CHECK_EVERY = 32;

/** Who runs the tasks: the activation and its process, for the task records. */
export interface TaskRun {
  activationId: string;
  container: string;
  /** The activation is its container's first (only the first task it runs counts as cold). */
  cold: boolean;
  /** Cold runs: when the container's process started (epoch ms). */
  boot?: number;
}

/** Read before the first await: with container concurrency, `__OW_ACTIVATION_ID` changes with the next activation. */
export function beginTaskRun(): TaskRun {
  const cold = takeFirstRun();
  return { activationId: process.env.__OW_ACTIVATION_ID ?? '', container: CONTAINER_ID, cold, ...(cold ? { boot: PROCESS_START } : {}) };
}

/** The record stored with a task's partial; `cold` only for the first task of a cold activation. */
export function taskRecord(run: TaskRun, cold: boolean, times: { queued?: number; start: number; end: number }): StoredTaskRecord {
  return {
    activationId: run.activationId,
    container: run.container,
    cold,
    ...(times.queued !== undefined ? { queued: times.queued } : {}),
    ...(cold && run.boot !== undefined ? { boot: run.boot } : {}),
    start: times.start,
    end: times.end,
  };
}

/** After a completion: the one that completed the job announces it (its activation id); others check the supervisor now and then. */
export async function afterCompletion(store: JobStore, jobId: string, r: { added: boolean; done: number; completed: boolean }): Promise<string | undefined> {
  if (r.completed) return announceDone(store, jobId);
  if (r.added && r.done % SUPERVISOR_CHECK_EVERY === 0) await ensureSupervisor(store, jobId, deadline(1000)).catch(() => false);
  return undefined;
}
