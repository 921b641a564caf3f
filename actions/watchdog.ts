// A job's watchdog: one activation at a time per running job, holding a lease in Redis. Every period it sweeps the
// job (lib/sweep.ts) and restarts a lost reduce; near its own deadline it invokes its successor; it ends when the job
// ends. Started by the entry action, and again by workers and status polls whenever no watchdog holds the lease, so
// a lost watchdog is replaced within a lease period. OpenWhisk's alarm feed is not needed (nor available everywhere).
import { randomUUID } from 'node:crypto';
import { readConfig } from '../pipeline/job/config.ts';
import { MALFORMED_JOB_ID, jobIdOf } from '../pipeline/job/action.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { sibling } from '../pipeline/names.ts';
import { deadline, invokeAsync } from '../pipeline/ow.ts';
import { Recovery } from '../pipeline/store/recovery.ts';
import { errorMessage } from '../pipeline/redact.ts';
import { getRedis } from '../pipeline/store/redis.ts';
import { sweepJob, type SweepCounts } from '../pipeline/supervisor/sweep.ts';
import { REDUCE_GRACE_MS } from '../pipeline/supervisor/watch.ts';

/** Longest one watchdog activation runs before handing over to a fresh one. */
const MAX_RUN_MS = 120_000;
/** Consecutive failed sweeps (e.g. Redis away for longer than the reconnect window) before handing over. */
const MAX_FAILED_SWEEPS = 5;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function main(params: Record<string, unknown>) {
  const owner = process.env.__OW_ACTIVATION_ID || randomUUID();
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  const totals: SweepCounts & { sweeps: number; failedSweeps: number; reduceKicks: number } = {
    sweeps: 0, failedSweeps: 0, reduceKicks: 0, probes: 0, lost: 0, speculated: 0, rangesRedispatched: 0,
  };
  let recovery: Recovery | undefined;
  try {
    const redis = await getRedis(readConfig(params).redisUrl);
    const store = new JobStore(redis);
    recovery = new Recovery(redis);
    const first = await store.meta(jobId, false);
    if (!first) return { error: `unknown job ${jobId}` };
    if (first.state !== 'running') return { jobId, state: first.state };
    const tick = Math.max(first.watchdogMs ?? 2000, Math.ceil(first.total / 50));
    const leaseMs = 3 * tick + 5000;
    if (!(await recovery.holdLease(jobId, owner, leaseMs))) return { jobId, skipped: 'another watchdog holds the lease' };

    const end = Math.min(deadline(5000), Date.now() + MAX_RUN_MS);
    const probed = new Map<number, number>();
    let failedInARow = 0;
    for (;;) {
      try {
        const meta = await store.meta(jobId, false);
        if (!meta || meta.state !== 'running') {
          if (meta?.state === 'cancelled') await recovery.purgeCancelled(jobId);
          return { jobId, state: meta?.state ?? 'gone', ...totals };
        }
        if (!(await recovery.holdLease(jobId, owner, leaseMs))) return { jobId, skipped: 'lease taken over', ...totals };
        const c = await sweepJob({ store, recovery, jobId, meta, probed });
        for (const k of ['probes', 'lost', 'speculated', 'rangesRedispatched'] as const) totals[k] += c[k];
        if ((await store.doneCount(jobId)) >= meta.total && (await store.claimReduceKick(jobId, Math.min(REDUCE_GRACE_MS, 2 * tick + 1000)))) {
          totals.reduceKicks++;
          await invokeAsync(sibling('reduce'), { jobId }, { deadline: Date.now() + 5000 });
        }
        totals.sweeps++;
        failedInARow = 0;
      } catch (err) {
        totals.failedSweeps++;
        if (++failedInARow >= MAX_FAILED_SWEEPS) throw err;
      }
      if (Date.now() + tick >= end) break;
      await sleep(tick);
    }
    await recovery.releaseLease(jobId, owner);
    await invokeAsync(sibling('watchdog'), { jobId }, { deadline: deadline(1000) });
    return { jobId, handedOver: true, ...totals };
  } catch (err) {
    // Whoever next finds no lease (a worker, a status poll) starts a fresh watchdog.
    await recovery?.releaseLease(jobId, owner).catch(() => {});
    return { jobId, error: `watchdog: ${errorMessage(err)}`, ...totals };
  }
}
