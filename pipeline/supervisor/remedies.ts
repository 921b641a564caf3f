// The supervisor's own hands: a lost reduce restarted, a supervisor started (or nudged into being by a reader). Tasks
// invoked again and workers started are dispatch's (pipeline/dispatch/redispatch.ts).
import { sibling } from '../openwhisk/names.ts';
import { invokeAsync } from '../openwhisk/ow.ts';
import type { JobStore } from '../store/job-store.ts';

/** After starting a supervisor, nobody starts another for this long unless one holds the lease. */
const SUPERVISOR_START_MS = 10_000;
/** A status poll looks whether a supervisor is needed at most this often per job and container. */
const NUDGE_EVERY_MS = 5000;

/**
 * Starts `reduce` for a job whose tasks are all done and whose last task ended at least `graceMs` ago, unless someone
 * did lately (or the job is no longer running); true when this call started it. Reduce is idempotent, so a second one changes nothing.
 */
export async function kickReduce(store: JobStore, jobId: string, graceMs: number, deadline = Date.now() + 5000): Promise<boolean> {
  if (!(await store.claimReduceKick(jobId, graceMs))) return false;
  await invokeAsync(sibling('reduce'), { jobId }, { deadline });
  return true;
}

/** Starts a supervisor for the job unless one holds its lease or one was started lately; true when this call did. */
export async function ensureSupervisor(store: JobStore, jobId: string, deadline = Date.now() + 5000): Promise<boolean> {
  if (!(await store.claimSupervisorStart(jobId, SUPERVISOR_START_MS))) return false;
  await invokeAsync(sibling('supervisor'), { jobId }, { deadline });
  return true;
}

const lastNudge = new Map<string, number>();

/**
 * For readers of a running job (status polls, waits): starts a supervisor when none holds the lease, writing nothing
 * itself (the supervisor takes the lease; a surplus one finds it held and ends). Best effort.
 */
export async function nudgeSupervisor(store: JobStore, jobId: string): Promise<void> {
  const now = Date.now();
  if (now - (lastNudge.get(jobId) ?? 0) < NUDGE_EVERY_MS) return;
  lastNudge.set(jobId, now);
  if (lastNudge.size > 1000) lastNudge.delete(lastNudge.keys().next().value as string);
  try {
    if (await store.leaseHeld(jobId)) return;
    await invokeAsync(sibling('supervisor'), { jobId }, { deadline: now + 2000 });
  } catch {
    // The next reader, or the next worker, tries again.
  }
}
