// A job's supervisor: one activation at a time per running job, holding a lease in Redis. Every period it looks after
// the job (supervise.ts); near its own deadline it invokes its successor; it ends when the job ends. Started by the
// entry action and `job-create`, and again by workers and status polls whenever none holds the lease, so a lost
// supervisor is replaced within a lease period. OpenWhisk's alarm feed is not needed (nor available everywhere).
import { randomUUID } from 'node:crypto';
import { sibling } from '../openwhisk/names.ts';
import { deadline, invokeAsync } from '../openwhisk/ow.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { JobStore } from '../store/job-store.ts';
import type { JobMeta } from '../store/meta.ts';
import { REDUCE_GRACE_MS } from './decide.ts';
import { noCounts, superviseOnce, type SuperviseCounts } from './supervise.ts';

/** Longest one supervisor activation runs before handing over to a fresh one. */
const MAX_RUN_MS = 120_000;
/** Consecutive failed periods (e.g. Redis away for longer than the reconnect window) before handing over. */
const MAX_FAILED_PERIODS = 5;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The lease holder's name: read before the first await, since with container concurrency the variable changes. */
export function supervisorHolder(): string {
  return process.env.__OW_ACTIVATION_ID || randomUUID();
}

export async function superviseJob(holder: string, store: JobStore, first: JobMeta, jobId: string): Promise<Record<string, unknown>> {
  const totals = { periods: 0, failedPeriods: 0, ...noCounts() };
  try {
    const tick = Math.max(first.supervisorMs, Math.ceil(first.total / 50));
    const leaseMs = 3 * tick + 5000;
    const reduceGraceMs = Math.min(REDUCE_GRACE_MS, 2 * tick + 1000);
    if (!(await store.holdLease(jobId, holder, leaseMs))) return { jobId, skipped: 'another supervisor holds the lease' };

    const end = Math.min(deadline(5000), Date.now() + MAX_RUN_MS);
    const probed = new Map<number, number>();
    let failedInARow = 0;
    for (;;) {
      try {
        const meta = await store.meta(jobId, false);
        if (!meta || meta.state !== 'running') {
          if (meta?.state === 'cancelled') await store.purgeCancelled(jobId);
          // A shuffle that ended without its dataset: its reduce removes the shuffle's objects.
          if (meta?.shuffle && meta.state !== 'done') await invokeAsync(sibling('reduce'), { jobId }, { deadline: deadline(1000) }).catch(() => {});
          return { jobId, state: meta?.state ?? 'gone', ...totals };
        }
        if (!(await store.holdLease(jobId, holder, leaseMs))) return { jobId, skipped: 'lease taken over', ...totals };
        const counts = await superviseOnce(store, jobId, probed, reduceGraceMs);
        for (const [k, v] of Object.entries(counts ?? {})) totals[k as keyof SuperviseCounts] += v;
        totals.periods++;
        failedInARow = 0;
      } catch (err) {
        totals.failedPeriods++;
        if (++failedInARow >= MAX_FAILED_PERIODS) throw err;
      }
      if (Date.now() + tick >= end) break;
      await sleep(tick);
    }
    await store.releaseLease(jobId, holder);
    await invokeAsync(sibling('supervisor'), { jobId }, { deadline: deadline(1000) });
    return { jobId, handedOver: true, ...totals };
  } catch (err) {
    // Whoever next finds no lease (a worker, a status poll) starts a fresh supervisor.
    await store.releaseLease(jobId, holder).catch(() => {});
    return { jobId, error: `supervisor: ${errorMessage(err)}`, ...totals };
  }
}
