// One look over a running job by its watchdog: every outstanding task is classified by its dispatch mark, start
// mark and activation record, and invoked again when it is lost. Duplicates are harmless (a partial is stored once
// per task index), so every rule errs towards running a task again.
//   - dispatched, its activation has a record (it ended) but no partial: it crashed or its container was killed;
//   - dispatched longer ago than startTimeoutMs and that invoke never started: it was lost (accepted, never run);
//   - started (by the activation in `startedBy`) but with no dispatch mark: that activation's record is looked at;
//   - never dispatched while no coordinator has dispatched anything for startTimeoutMs: a coordinator was lost, so
//     its range goes to a fresh coordinator;
//   - started longer ago than the task timeout: as before (lib/watchdog.ts), an attempt of the task's own budget;
//   - once 90% are done, an outstanding task older than twice the typical run time gets one speculative copy.
// Re-invocations back off: a task invoked again n times waits 2^n times longer before the next.
import type { JobMeta, JobStore } from '../store/job-store.ts';
import { sibling } from '../names.ts';
import { invokeAsync, owClient, statusCodeOf } from '../ow.ts';
import { boundedMap } from '../pool.ts';
import { toRanges } from '../ranges.ts';
import type { Dispatch, Recovery } from '../store/recovery.ts';
import { restartStalledTasks } from './watch.ts';

export const SPECULATE_AT = 0.9;
const MAX_PROBES = 64;
const MAX_REINVOKES = 200;
const SPEC_MIN_MS = 200;

export interface SweepCounts {
  probes: number;
  lost: number;
  speculated: number;
  rangesRedispatched: number;
}

export interface SweepContext {
  store: JobStore;
  recovery: Recovery;
  jobId: string;
  meta: JobMeta;
  /** When each task's record was last looked for, kept across the sweeps of one watchdog activation. */
  probed: Map<number, number>;
}

async function activationEnded(activationId: string): Promise<boolean> {
  try {
    await owClient().activations.get({ name: activationId });
    return true;
  } catch (err) {
    // 404: still queued or running (records are written when an activation ends), or lost without a record.
    if (statusCodeOf(err) !== 404) throw err;
    return false;
  }
}

async function invokeTask(ctx: SweepContext, index: number): Promise<void> {
  const now = Date.now();
  const id = await invokeAsync(sibling('work'), { jobId: ctx.jobId, index, queued: now }, { deadline: now + 5000 });
  await ctx.recovery.markDispatched(ctx.jobId, [[index, id]], false, now);
}

export async function sweepJob(ctx: SweepContext): Promise<SweepCounts> {
  const { recovery, jobId, meta } = ctx;
  const counts: SweepCounts = { probes: 0, lost: 0, speculated: 0, rangesRedispatched: 0 };
  const [done, dispatches, starts, startedBy, retried, specd] = await Promise.all([
    recovery.doneSet(jobId),
    recovery.dispatches(jobId),
    recovery.starts(jobId),
    recovery.startedBy(jobId),
    recovery.retriedCounts(jobId),
    recovery.speculated(jobId),
  ]);
  if (done.size >= meta.total) return counts;
  const now = Date.now();
  const probeAfter = meta.probeAfterMs ?? 5000;
  const startTimeout = meta.startTimeoutMs ?? 60_000;

  // `seen`: the dispatch mark judged (undefined: the task has none); `activationId`: the activation to look at.
  type Suspect = { index: number; seen?: Dispatch; activationId: string; at: number };
  const lost: Suspect[] = [];
  const toProbe: Suspect[] = [];
  const undispatched: number[] = [];
  const outstanding: number[] = [];
  for (let i = 0; i < meta.total; i++) {
    if (done.has(i)) continue;
    outstanding.push(i);
    const d = dispatches.get(i);
    const startedAt = starts.get(i);
    const by = startedBy.get(i);
    const backoff = 2 ** Math.min(retried.get(i) ?? 0, 6);
    const probeDue = now - (ctx.probed.get(i) ?? 0) > probeAfter;
    if (!d) {
      if (startedAt === undefined) undispatched.push(i);
      // Started, but its dispatch mark was lost with its coordinator: the activation that started is the one to watch.
      else if (by && now - startedAt > probeAfter * backoff && probeDue) toProbe.push({ index: i, activationId: by, at: startedAt });
      continue;
    }
    // Only a start by the latest invoke counts: the start of an earlier attempt (killed, or overtaken by a re-invoke or
    // a speculative copy) says nothing about whether this invoke was lost.
    const started = by !== undefined ? by === d.activationId : startedAt !== undefined;
    const age = now - d.at;
    const suspect = { index: i, seen: d, activationId: d.activationId, at: d.at };
    if (!started && age > startTimeout * backoff) lost.push(suspect);
    else if (d.activationId && age > probeAfter * backoff && probeDue) toProbe.push(suspect);
  }

  toProbe.sort((a, b) => a.at - b.at);
  await boundedMap(toProbe.slice(0, MAX_PROBES), 8, async (t) => {
    ctx.probed.set(t.index, Date.now());
    counts.probes++;
    if (await activationEnded(t.activationId)) lost.push(t);
  });

  let budgetSpent = false;
  await boundedMap(lost.slice(0, MAX_REINVOKES), 8, async ({ index, seen }) => {
    if (budgetSpent) return;
    const error = `task ${index} was lost (its activation ended without a result or never started) and the job's retry budget of ${meta.retryBudget ?? 0} re-invocations is spent`;
    const v = await recovery.reinvoke(jobId, index, 'lost', error, seen);
    if (!v.go) {
      if (v.why === 'budget-spent' || v.why === 'not-running') budgetSpent = true;
      return;
    }
    counts.lost++;
    await invokeTask(ctx, index);
  });
  if (budgetSpent) return counts;

  const quiet = now - Math.max(meta.lastDispatch ?? 0, meta.created) > startTimeout;
  if (undispatched.length > 0 && quiet) {
    for (const r of toRanges(undispatched)) {
      await invokeAsync(sibling('coordinate'), { jobId, ...r }, { deadline: Date.now() + 5000 });
      counts.rangesRedispatched++;
    }
    await recovery.markDispatched(jobId, [], true);
  }

  await restartStalledTasks(ctx.store, jobId);

  if (meta.speculation !== 0 && done.size >= Math.ceil(SPECULATE_AT * meta.total)) {
    counts.speculated = await speculate(ctx, outstanding, dispatches, starts, specd);
  }
  return counts;
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function speculate(
  ctx: SweepContext,
  outstanding: number[],
  dispatches: Map<number, Dispatch>,
  starts: Map<number, number>,
  specd: Set<number>,
): Promise<number> {
  const typical = median(await ctx.recovery.sampleDurations(ctx.jobId, 64)) ?? ctx.meta.probeAfterMs ?? 5000;
  const threshold = Math.max(SPEC_MIN_MS, 2 * typical);
  const now = Date.now();
  const slow = outstanding
    .filter((i) => !specd.has(i))
    .map((i) => ({ index: i, since: starts.get(i) ?? dispatches.get(i)?.at }))
    .filter((t): t is { index: number; since: number } => t.since !== undefined && now - t.since > threshold)
    .sort((a, b) => a.since - b.since);
  let started = 0;
  await boundedMap(slow.slice(0, MAX_REINVOKES), 8, async ({ index }) => {
    const v = await ctx.recovery.reinvoke(ctx.jobId, index, 'spec', '');
    if (!v.go) return;
    started++;
    await invokeTask(ctx, index);
  });
  return started;
}
