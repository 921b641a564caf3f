// What a running job needs, decided from one snapshot of its marks: a pure function, so every rule is a table test.
// Duplicates are harmless (a partial is stored once per task index), so every rule errs towards running a task again.
//   - dispatched, and its activation ended (it has a record) without a partial: it crashed or its container was
//     killed — probe the record, then invoke it again;
//   - dispatched longer ago than startTimeoutMs and that invoke never started: it was lost (accepted, never run);
//   - started (by the activation in `startedBy`) with no dispatch mark: that activation's record is probed; one that
//     started longer ago than the task timeout plus a lease time is lost (its activation went without a record, as in
//     a platform restart, or its id is unknown), whatever the probes said;
//   - started by its latest invoke longer ago than the task timeout: it timed out (a failed attempt of the task);
//   - never dispatched while no coordinator has dispatched anything (or said it still waits on its outstanding tasks:
//     push mode's task window) for startTimeoutMs: a coordinator was lost, so its range goes to a fresh coordinator;
//     each hand-over since a coordinator last dispatched doubles that wait (a fresh coordinator slow to start is not
//     taken for lost again and again);
//   - once 90% are done, an outstanding task older than twice the typical run time gets one speculative copy;
//   - every task done, no result, the last one ended more than the grace period ago: the reduce was lost.
// Re-invocations back off: a task invoked again n times waits 2^n times longer before the next.
// A pull-mode job (workers claiming tasks from its queue) has no dispatch marks; only these rules apply to it, with
// the lost reduce's:
//   - a claimed task whose lease expired and that is not done: its worker is gone, requeue it;
//   - fewer live workers (seen within 2 lease times) than tasks waiting to be claimed, up to the job's workers: start
//     workers in the slots that have gone quiet;
//   - nothing left to claim, workers idle (their slots quiet or left) while claimed tasks have run longer than twice
//     the typical run time: one speculative copy each of the oldest, as many as there are idle slots, and a worker in
//     each of those slots to claim it. The first completion counts.
import { toRanges, type Range } from '../dispatch/ranges.ts';
import type { Dispatch, JobSnapshot, QueueMarks } from '../store/job-store.ts';

export const SPECULATE_AT = 0.9;
/** A job with every task done and no result this long after its last task ended has lost its reduce, ms. */
export const REDUCE_GRACE_MS = 10_000;
export const MAX_PROBES = 64;
export const MAX_REINVOKES = 200;
const SPEC_MIN_MS = 200;
const MAX_BACKOFF_EXPONENT = 6;

/** A task to look at or invoke again: the dispatch mark judged (none: it has no mark) and the activation to probe. */
export interface Suspect {
  index: number;
  seen?: Dispatch;
  activationId: string;
  at: number;
}

export interface Decision {
  /** Tasks whose activation record to look at: one that has ended without a partial was lost. */
  probe: Suspect[];
  /** Tasks to invoke again now, from the retry budget. */
  lost: Suspect[];
  /** Tasks that ran past the task timeout: a failed attempt each, then invoked again. */
  timedOut: Suspect[];
  /** Ranges no coordinator dispatched, for a fresh coordinator. */
  undispatched: Range[];
  /** Tasks that get a speculative copy (pull mode: a queued copy, claimed by a worker started for it). */
  speculate: number[];
  /** Every task is done but the result has not come: start reduce again. */
  reduceLost: boolean;
  /** Pull mode: some claimed tasks' leases expired; put them back in the queue. */
  requeueExpired: boolean;
  /** Pull mode: worker slots to start (again); when it speculates, one idle slot per copy, in the order of `speculate`. */
  startWorkers: number[];
}

/** Pull mode: a worker not seen for this many lease times is taken for gone. */
export const WORKER_SILENCE_LEASES = 2;

export interface DecideInput {
  snapshot: JobSnapshot;
  now: number;
  /** When each task's record was last probed (kept by the supervisor across its periods). */
  probed: ReadonlyMap<number, number>;
  /** Median run time of done tasks, once speculation is due. */
  typicalMs?: number;
  /** How long after the last task ended a missing result counts as a lost reduce, ms. */
  reduceGraceMs?: number;
}

/** Whether stragglers may get a copy: push mode once 90% are done; pull mode once every task was claimed (and one done). */
export function speculationDue({ meta, done, queue }: JobSnapshot): boolean {
  if (!meta.speculation) return false;
  if (queue) return done.size > 0 && queue.claimed >= meta.total && queue.requeued === 0;
  return done.size >= Math.ceil(SPECULATE_AT * meta.total);
}

/** The outstanding tasks started longer ago than twice the typical run (at least SPEC_MIN_MS), oldest first. */
function stragglers(candidates: readonly number[], since: (index: number) => number | undefined, now: number, typicalMs: number): number[] {
  const threshold = Math.max(SPEC_MIN_MS, 2 * typicalMs);
  return candidates
    .map((index) => ({ index, since: since(index) }))
    .filter((t): t is { index: number; since: number } => t.since !== undefined && now - t.since > threshold)
    .sort((a, b) => a.since - b.since)
    .slice(0, MAX_REINVOKES)
    .map((t) => t.index);
}

export function decide({ snapshot, now, probed, typicalMs, reduceGraceMs = REDUCE_GRACE_MS }: DecideInput): Decision {
  const { meta, done, dispatches, starts, startedBy, retried, speculated } = snapshot;
  const decision: Decision = { probe: [], lost: [], timedOut: [], undispatched: [], speculate: [], reduceLost: false, requeueExpired: false, startWorkers: [] };
  if (meta.state !== 'running') return decision;
  if (done.size >= meta.total) {
    decision.reduceLost = now - (meta.lastEnd ?? meta.created) >= reduceGraceMs;
    return decision;
  }
  if (snapshot.queue) return decideQueue(snapshot, snapshot.queue, now, decision, typicalMs);

  const neverDispatched: number[] = [];
  const outstanding: number[] = [];
  for (let i = 0; i < meta.total; i++) {
    if (done.has(i)) continue;
    outstanding.push(i);
    const d = dispatches.get(i);
    const startedAt = starts.get(i);
    const by = startedBy.get(i);
    const backoff = 2 ** Math.min(retried.get(i) ?? 0, MAX_BACKOFF_EXPONENT);
    const probeDue = now - (probed.get(i) ?? 0) > meta.probeAfterMs;
    if (!d) {
      if (startedAt === undefined) neverDispatched.push(i);
      // No activation runs longer than the task timeout: one silent for a lease time past it is gone, record or not.
      else if (now - startedAt > meta.taskTimeoutMs + meta.leaseMs) decision.lost.push({ index: i, activationId: by ?? '', at: startedAt });
      // Started, but its dispatch mark was lost with its coordinator: the activation that started is the one to watch.
      else if (by && now - startedAt > meta.probeAfterMs * backoff && probeDue) decision.probe.push({ index: i, activationId: by, at: startedAt });
      continue;
    }
    // Only a start by the latest invoke counts: the start of an earlier attempt (killed, or overtaken by a re-invoke or
    // a speculative copy) says nothing about whether this invoke was lost.
    const started = by !== undefined ? by === d.activationId : startedAt !== undefined;
    const age = now - d.at;
    const suspect: Suspect = { index: i, seen: d, activationId: d.activationId, at: d.at };
    if (!started && age > meta.startTimeoutMs * backoff) decision.lost.push(suspect);
    else if (started && startedAt !== undefined && now - startedAt > meta.taskTimeoutMs) decision.timedOut.push(suspect);
    else if (d.activationId && age > meta.probeAfterMs * backoff && probeDue) decision.probe.push(suspect);
  }
  decision.probe.sort((a, b) => a.at - b.at);
  decision.probe.splice(MAX_PROBES);
  decision.lost.splice(MAX_REINVOKES);
  decision.timedOut.splice(MAX_REINVOKES);

  const quietFor = meta.startTimeoutMs * 2 ** Math.min(meta.resendsSinceDispatch ?? 0, MAX_BACKOFF_EXPONENT);
  const quiet = now - Math.max(meta.lastDispatch ?? 0, meta.created) > quietFor;
  if (quiet) decision.undispatched = toRanges(neverDispatched);

  if (typicalMs !== undefined && speculationDue(snapshot)) {
    const candidates = outstanding.filter((i) => !speculated.has(i));
    decision.speculate = stragglers(candidates, (i) => starts.get(i) ?? dispatches.get(i)?.at, now, typicalMs);
  }
  return decision;
}

/**
 * Pull mode: requeue the tasks of gone workers, keep as many workers live as there are tasks waiting (up to W), and
 * once nothing waits, give stragglers a copy for idle slots.
 */
function decideQueue(snapshot: JobSnapshot, queue: QueueMarks, now: number, decision: Decision, typicalMs: number | undefined): Decision {
  const { meta, done, starts, speculated } = snapshot;
  let expired = 0;
  for (const [index, expiry] of queue.leases) if (expiry <= now && !done.has(index)) expired++;
  decision.requeueExpired = expired > 0;
  const waiting = Math.max(0, meta.total - queue.claimed) + queue.requeued + expired;
  const slots = Array.from({ length: meta.workers }, (_, slot) => slot);
  const isLive = (slot: number) => now - (queue.workers.get(slot) ?? 0) <= WORKER_SILENCE_LEASES * meta.leaseMs;
  const live = slots.filter(isLive).length;
  const wanted = Math.min(meta.workers, waiting);
  const idle = slots.filter((slot) => !isLive(slot));
  decision.startWorkers = idle.slice(0, Math.max(0, wanted - live));
  if (waiting === 0 && idle.length > 0 && typicalMs !== undefined && speculationDue(snapshot)) {
    const candidates = [...queue.leases.keys()].filter((i) => !done.has(i) && !speculated.has(i));
    decision.speculate = stragglers(candidates, (i) => starts.get(i), now, typicalMs).slice(0, idle.length);
    decision.startWorkers = idle.slice(0, decision.speculate.length);
  }
  return decision;
}
