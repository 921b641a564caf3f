// One period of a job's supervisor: read the job's marks once, decide (decide.ts), then act — probe records, invoke
// lost and timed-out tasks again, hand undispatched ranges to a fresh coordinator, speculate, restart a lost reduce;
// for a pull-mode job, requeue the tasks of expired leases, queue copies of stragglers and start workers in quiet
// slots.
import { sibling } from '../openwhisk/names.ts';
import { invokeAsync, owClient, statusCodeOf } from '../openwhisk/ow.ts';
import { boundedMap } from '../dispatch/pool.ts';
import type { JobStore } from '../store/job-store.ts';
import { timeLimitExceeded, type ActivationRecordLike } from './activation-record.ts';
import { decide, MAX_REINVOKES, speculationDue, type Suspect } from './decide.ts';
import { kickReduce } from './remedies.ts';
import { redispatchTask, startWorkers } from '../dispatch/redispatch.ts';

export interface SuperviseCounts {
  probes: number;
  lost: number;
  timedOut: number;
  speculated: number;
  rangesRedispatched: number;
  reduceKicks: number;
  /** Pull mode: tasks put back in the queue after their lease expired. */
  requeued: number;
  /** Pull mode: workers started in slots that had gone quiet. */
  workersStarted: number;
}

export const noCounts = (): SuperviseCounts => ({ probes: 0, lost: 0, timedOut: 0, speculated: 0, rangesRedispatched: 0, reduceKicks: 0, requeued: 0, workersStarted: 0 });

const PARALLEL = 8;
const INVOKE_WINDOW_MS = 5000;

/** The record of an activation that has ended; undefined while it is queued or running (or lost without one). */
async function endedRecord(activationId: string): Promise<ActivationRecordLike | undefined> {
  try {
    return (await owClient().activations.get({ name: activationId })) as ActivationRecordLike;
  } catch (err) {
    // 404: still queued or running (records are written when an activation ends), or lost without a record.
    if (statusCodeOf(err) !== 404) throw err;
    return undefined;
  }
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * One look after a running job. `probed` (when each task's record was last looked at) lives as long as the caller.
 * Returns undefined when the job is unknown.
 */
export async function superviseOnce(store: JobStore, jobId: string, probed: Map<number, number>, reduceGraceMs: number): Promise<SuperviseCounts | undefined> {
  const snapshot = await store.snapshot(jobId);
  if (!snapshot) return undefined;
  const { meta } = snapshot;
  const counts = noCounts();
  const typicalMs = speculationDue(snapshot) ? (median(await store.sampleDurations(jobId, 64)) ?? meta.probeAfterMs) : undefined;
  const d = decide({ snapshot, now: Date.now(), probed, typicalMs, reduceGraceMs });

  if (d.reduceLost) {
    if (await kickReduce(store, jobId, reduceGraceMs)) counts.reduceKicks++;
    return counts;
  }

  if (d.requeueExpired) {
    const budgetError = `tasks of lost workers could not be claimed again: the job's retry budget of ${meta.retryBudget} re-runs is spent`;
    const r = await store.requeueExpired(jobId, budgetError, MAX_REINVOKES);
    counts.requeued += r.requeued.length;
    if (r.budgetSpent) return counts;
  }
  let slots = d.startWorkers;
  if (snapshot.queue && d.speculate.length > 0) {
    // Copies are queued first, so that the workers started for them (one slot each) find them; none for a task done
    // meanwhile.
    for (const index of d.speculate) if (await store.speculateTask(jobId, index)) counts.speculated++;
    slots = slots.slice(0, counts.speculated);
  }
  if (slots.length > 0) counts.workersStarted += await startWorkers(store, jobId, slots, Date.now() + INVOKE_WINDOW_MS, 16, meta.kernelAction);

  const lost = [...d.lost];
  const overTimeLimit: Array<{ task: Suspect; message: string }> = [];
  await boundedMap(d.probe, PARALLEL, async (t) => {
    probed.set(t.index, Date.now());
    counts.probes++;
    const record = await endedRecord(t.activationId);
    if (!record) return;
    const message = timeLimitExceeded(record);
    if (message !== undefined) overTimeLimit.push({ task: t, message });
    else lost.push(t);
  });

  let budgetSpent = false;
  const again = async (t: Suspect, kind: 'lost' | 'timeout', why: string): Promise<boolean> => {
    if (budgetSpent) return false;
    const budgetError = `task ${t.index} ${why} and the job's retry budget of ${meta.retryBudget} re-invocations is spent`;
    const v = await redispatchTask(store, jobId, t.index, { kind, budgetError, seen: t.seen, deadline: Date.now() + INVOKE_WINDOW_MS, action: meta.kernelAction });
    if (!v.go && v.why !== 'done') budgetSpent = true;
    return v.go;
  };
  await boundedMap(lost, PARALLEL, async (t) => {
    if (await again(t, 'lost', 'was lost (its activation ended without a result or never started)')) counts.lost++;
  });
  // A run past a time limit is a failed attempt of its task, with the real reason: it counts against the task's own
  // retries (the job fails once they are spent), then the task is invoked again.
  const timedOut = async (t: Suspect, why: string) => {
    const f = await store.failTask(jobId, t.index, `task ${t.index} ${why}`, meta.retries);
    if (f.retry && (await again(t, 'timeout', why))) counts.timedOut++;
  };
  await boundedMap(d.timedOut, PARALLEL, (t) => timedOut(t, `did not finish within ${meta.taskTimeoutMs} ms`));
  await boundedMap(overTimeLimit, PARALLEL, ({ task, message }) => timedOut(task, `timed out: ${message}`));
  if (budgetSpent) return counts;

  if (d.undispatched.length > 0) {
    if (!(await store.reinvokeRanges(jobId, d.undispatched)).go) return counts;
    for (const r of d.undispatched) {
      await invokeAsync(sibling('coordinate'), { jobId, ...r }, { deadline: Date.now() + INVOKE_WINDOW_MS });
      counts.rangesRedispatched++;
    }
  }

  if (snapshot.queue) return counts;
  await boundedMap(d.speculate, PARALLEL, async (index) => {
    const v = await redispatchTask(store, jobId, index, { kind: 'spec', budgetError: '', deadline: Date.now() + INVOKE_WINDOW_MS, action: meta.kernelAction });
    if (v.go) counts.speculated++;
  });
  return counts;
}
