// Whoever polls a running job (the status action, the entry action while it waits) also looks after it, so that a
// lost activation cannot leave the job running forever:
// - every task done but no result well after the last one ended: the reduce was lost (a rule activation refused by
//   a throttle, a crashed reduce); start it again (reduce is idempotent);
// - a task started longer ago than the job's task timeout without a partial: its activation timed out or its
//   container died; count a failed attempt and run it again, or fail the job once its retries are spent;
// - no watchdog activation holds the job's lease (lost, or never started): start one (actions/watchdog.ts), which
//   looks after the job without anyone polling.
import type { JobStatus, JobStore } from '../store/job-store.ts';
import { sibling } from '../names.ts';
import { invokeAsync, owClient } from '../ow.ts';
import { boundedMap } from '../pool.ts';
import { errorMessage } from '../redact.ts';
import { Recovery } from '../store/recovery.ts';
import type { Redis } from '../store/redis.ts';

export const REDUCE_GRACE_MS = 10_000;
/** Most stalled tasks one sweep restarts; the next sweep takes the rest. */
const MAX_RESTARTS = 200;
/** After starting a watchdog, nobody starts another for this long unless one holds the lease. */
const WATCH_KICK_MS = 10_000;

/** Starts a watchdog for the job unless one holds its lease or one was started lately; true when this call did. */
export async function ensureWatchdog(redis: Redis, jobId: string, deadlineAt = Date.now() + 5000): Promise<boolean> {
  if (!(await new Recovery(redis).claimWatchKick(jobId, WATCH_KICK_MS))) return false;
  await invokeAsync(sibling('watchdog'), { jobId }, { deadline: deadlineAt });
  return true;
}

export async function watchJob(store: JobStore, status: JobStatus): Promise<void> {
  if (status.state !== 'running') return;
  try {
    owClient(); // no API key, nothing to start: claim nothing
    await ensureWatchdog(store.client, status.jobId).catch(() => false);
    if (status.done === status.total) {
      if (await store.claimReduceKick(status.jobId, REDUCE_GRACE_MS)) {
        await invokeAsync(sibling('reduce'), { jobId: status.jobId }, { deadline: Date.now() + 5000 });
      }
      return;
    }
    await restartStalledTasks(store, status.jobId);
  } catch {
    // Best effort: the next poll tries again.
  }
}

export async function restartStalledTasks(store: JobStore, jobId: string): Promise<void> {
  const meta = await store.meta(jobId, false);
  if (!meta) return;
  const everyMs = Math.min(30_000, Math.max(1000, Math.floor(meta.taskTimeoutMs / 4)));
  const stalled = await store.claimStalledTasks(jobId, meta, everyMs);
  await boundedMap(stalled.slice(0, MAX_RESTARTS), 8, async (index) => {
    const error = `task ${index} did not finish within ${meta.taskTimeoutMs} ms`;
    const f = await store.failTask(jobId, index, error, meta.retries);
    if (!f.retry) return;
    try {
      const id = await invokeAsync(sibling('work'), { jobId, index, queued: Date.now() }, { deadline: Date.now() + 5000 });
      await new Recovery(store.client).markDispatched(jobId, [[index, id]]).catch(() => undefined);
    } catch (err) {
      await store.failJob(jobId, `${error} (and could not be retried: ${errorMessage(err)})`);
    }
  });
}

/** Whether a trigger activation's record shows a rule whose action could not be started. */
export async function ruleFailed(triggerActivationId: string): Promise<boolean> {
  const ow = owClient();
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const record = (await ow.activations.get({ name: triggerActivationId })) as { logs?: unknown[] };
      return (record.logs ?? []).some((line) => {
        try {
          return (JSON.parse(String(line)) as { success?: boolean }).success === false;
        } catch {
          return false;
        }
      });
    } catch {
      // Records may take a moment to appear.
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
  return false;
}
