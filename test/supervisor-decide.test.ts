// The supervisor's decisions as a pure function over job states: one row per situation a task or a reduce can be in.
import { describe, expect, it } from 'vitest';
import { decide, MAX_PROBES, REDUCE_GRACE_MS, type Decision } from '../pipeline/supervisor/decide.ts';
import type { JobSnapshot } from '../pipeline/store/job-store.ts';
import { timeLimitExceeded } from '../pipeline/supervisor/activation-record.ts';
import { specOf } from './helpers/job-spec.ts';

const NOW = 1_000_000_000;
const TUNING = { probeAfterMs: 5000, startTimeoutMs: 60_000, taskTimeoutMs: 330_000, leaseMs: 30_000 };

interface TaskState {
  done?: boolean;
  /** Dispatched this long ago, by activation `act`. */
  dispatchedAgo?: number;
  act?: string;
  /** Started this long ago, by activation `by` (none: the worker did not know its id). */
  startedAgo?: number;
  by?: string;
  retried?: number;
  speculated?: boolean;
}

function snapshot(
  tasks: TaskState[],
  job: { createdAgo?: number; lastDispatchAgo?: number; resendsSinceDispatch?: number; lastEndAgo?: number; state?: 'running' | 'done'; speculation?: boolean } = {},
): JobSnapshot {
  const spec = specOf('sleep', { ms: 0 }, tasks.length, { ...TUNING, speculation: job.speculation ?? true });
  const s: JobSnapshot = {
    meta: {
      ...spec,
      state: job.state ?? 'running',
      created: NOW - (job.createdAgo ?? 10_000),
      expiresAt: NOW + 1e9,
      lastDispatch: job.lastDispatchAgo === undefined ? undefined : NOW - job.lastDispatchAgo,
      resendsSinceDispatch: job.resendsSinceDispatch,
      lastEnd: job.lastEndAgo === undefined ? undefined : NOW - job.lastEndAgo,
    },
    done: new Set(),
    dispatches: new Map(),
    starts: new Map(),
    startedBy: new Map(),
    retried: new Map(),
    speculated: new Set(),
  };
  tasks.forEach((t, i) => {
    if (t.done) s.done.add(i);
    if (t.dispatchedAgo !== undefined) s.dispatches.set(i, { at: NOW - t.dispatchedAgo, activationId: t.act ?? `a${i}` });
    if (t.startedAgo !== undefined) s.starts.set(i, NOW - t.startedAgo);
    if (t.by !== undefined) s.startedBy.set(i, t.by);
    if (t.retried) s.retried.set(i, t.retried);
    if (t.speculated) s.speculated.add(i);
  });
  return s;
}

/** The decision, as task indices per remedy. */
function verdict(d: Decision) {
  return {
    probe: d.probe.map((t) => t.index),
    lost: d.lost.map((t) => t.index),
    timedOut: d.timedOut.map((t) => t.index),
    undispatched: d.undispatched,
    speculate: d.speculate,
    reduceLost: d.reduceLost,
  };
}

const nothing = { probe: [], lost: [], timedOut: [], undispatched: [], speculate: [], reduceLost: false };

describe('supervisor decisions', () => {
  const rows: Array<[string, TaskState, Partial<ReturnType<typeof verdict>>]> = [
    ['done: nothing to do', { done: true, dispatchedAgo: 999_999 }, {}],
    ['dispatched just now, not started: wait', { dispatchedAgo: 1000 }, {}],
    ['dispatched, not started past the start timeout: lost', { dispatchedAgo: 61_000 }, { lost: [0] }],
    ['retried once, not started past the start timeout: not lost before twice it, its record is looked at', { dispatchedAgo: 61_000, retried: 1 }, { probe: [0] }],
    ['retried once, not started past twice the start timeout: lost', { dispatchedAgo: 121_000, retried: 1 }, { lost: [0] }],
    ['started by its invoke, past the probe delay: its record is looked at', { dispatchedAgo: 6000, act: 'x', startedAgo: 5500, by: 'x' }, { probe: [0] }],
    ['started by its invoke, within the probe delay: wait', { dispatchedAgo: 4000, act: 'x', startedAgo: 3900, by: 'x' }, {}],
    ['started by its invoke past the task timeout: timed out', { dispatchedAgo: 340_000, act: 'x', startedAgo: 331_000, by: 'x' }, { timedOut: [0] }],
    ['started by an earlier attempt, the latest invoke never started: lost', { dispatchedAgo: 61_000, act: 'new', startedAgo: 400_000, by: 'old' }, { lost: [0] }],
    ['started by an earlier attempt, latest invoke young: its record is looked at', { dispatchedAgo: 6000, act: 'new', startedAgo: 400_000, by: 'old' }, { probe: [0] }],
    ['started without a dispatch mark (its coordinator lost it): the starter is probed', { startedAgo: 6000, by: 'y' }, { probe: [0] }],
    ['started without a dispatch mark, id unknown: nothing to probe', { startedAgo: 6000 }, {}],
    // A platform restart: the starter's record never comes (404), and no rule with a dispatch mark applies.
    ['started without a dispatch mark past the task timeout plus a lease: lost', { startedAgo: 361_000, by: 'gone' }, { lost: [0] }],
    ['started without a dispatch mark past the task timeout plus a lease, id unknown: lost', { startedAgo: 361_000 }, { lost: [0] }],
    ['started without a dispatch mark past the task timeout, within a lease more: probed', { startedAgo: 340_000, by: 'y' }, { probe: [0] }],
  ];
  it.each(rows)('%s', (_what, task, expected) => {
    // A second, done task keeps the job from being complete and speculation from being due.
    const d = decide({ snapshot: snapshot([task, { done: true }, {}], { lastDispatchAgo: 1000 }), now: NOW, probed: new Map() });
    expect(verdict(d)).toEqual({ ...nothing, ...expected });
  });

  it('probes a task at most once per probe delay', () => {
    const s = snapshot([{ dispatchedAgo: 6000, act: 'x', startedAgo: 5500, by: 'x' }], { lastDispatchAgo: 1000 });
    expect(verdict(decide({ snapshot: s, now: NOW, probed: new Map([[0, NOW - 1000]]) })).probe).toEqual([]);
    expect(verdict(decide({ snapshot: s, now: NOW, probed: new Map([[0, NOW - 6000]]) })).probe).toEqual([0]);
  });

  it('probes the oldest first, at most MAX_PROBES at a time', () => {
    const tasks = Array.from({ length: MAX_PROBES + 10 }, (_, i): TaskState => ({ dispatchedAgo: 6000 + i, act: `a${i}`, startedAgo: 5500, by: `a${i}` }));
    const probe = verdict(decide({ snapshot: snapshot(tasks, { lastDispatchAgo: 1000 }), now: NOW, probed: new Map() })).probe;
    expect(probe).toHaveLength(MAX_PROBES);
    expect(probe[0]).toBe(MAX_PROBES + 9);
  });

  it('hands never-dispatched ranges to a coordinator only once the tree has gone quiet', () => {
    const tasks: TaskState[] = [{ done: true }, {}, {}, { done: true }, {}];
    expect(verdict(decide({ snapshot: snapshot(tasks, { lastDispatchAgo: 10_000 }), now: NOW, probed: new Map() })).undispatched).toEqual([]);
    expect(verdict(decide({ snapshot: snapshot(tasks, { lastDispatchAgo: 61_000, createdAgo: 70_000 }), now: NOW, probed: new Map() })).undispatched).toEqual([
      { from: 1, to: 3 },
      { from: 4, to: 5 },
    ]);
  });

  it('waits twice as long before each further hand-over while no coordinator has dispatched since the last', () => {
    const tasks: TaskState[] = [{ done: true }, {}, {}];
    const undispatched = (lastDispatchAgo: number, resendsSinceDispatch: number) =>
      verdict(decide({ snapshot: snapshot(tasks, { lastDispatchAgo, resendsSinceDispatch, createdAgo: 1e9 }), now: NOW, probed: new Map() })).undispatched;
    const startTimeoutMs = snapshot(tasks).meta.startTimeoutMs;
    expect(undispatched(startTimeoutMs + 1, 0)).toEqual([{ from: 1, to: 3 }]);
    expect(undispatched(startTimeoutMs + 1, 1)).toEqual([]);
    expect(undispatched(2 * startTimeoutMs + 1, 1)).toEqual([{ from: 1, to: 3 }]);
    expect(undispatched(7 * startTimeoutMs, 3)).toEqual([]);
    expect(undispatched(8 * startTimeoutMs + 1, 3)).toEqual([{ from: 1, to: 3 }]);
    // The wait stops growing at 2^6 times startTimeoutMs.
    expect(undispatched(64 * startTimeoutMs + 1, 20)).toEqual([{ from: 1, to: 3 }]);
  });

  it('speculates on stragglers older than twice the typical run once 90% are done, once per task', () => {
    const tasks: TaskState[] = Array.from({ length: 20 }, () => ({ done: true }));
    tasks[3] = { dispatchedAgo: 3000, act: 'a', startedAgo: 2500, by: 'a' };
    tasks[7] = { dispatchedAgo: 900, act: 'b', startedAgo: 800, by: 'b' };
    const s = snapshot(tasks, { lastDispatchAgo: 1000 });
    expect(verdict(decide({ snapshot: s, now: NOW, probed: new Map(), typicalMs: 500 })).speculate).toEqual([3]);
    tasks[3].speculated = true;
    expect(verdict(decide({ snapshot: snapshot(tasks, { lastDispatchAgo: 1000 }), now: NOW, probed: new Map(), typicalMs: 500 })).speculate).toEqual([]);
    expect(verdict(decide({ snapshot: snapshot(tasks.map((t, i) => (i === 3 ? { ...t, speculated: false } : t)), { speculation: false }), now: NOW, probed: new Map(), typicalMs: 500 })).speculate).toEqual([]);
  });

  it('does not speculate before 90% are done', () => {
    const tasks: TaskState[] = Array.from({ length: 10 }, (_, i) => (i < 8 ? { done: true } : { dispatchedAgo: 3000, startedAgo: 2500 }));
    expect(verdict(decide({ snapshot: snapshot(tasks, { lastDispatchAgo: 1000 }), now: NOW, probed: new Map(), typicalMs: 100 })).speculate).toEqual([]);
  });

  it('takes the reduce for lost only when every task is done and the grace period has passed', () => {
    const all: TaskState[] = [{ done: true }, { done: true }];
    expect(verdict(decide({ snapshot: snapshot(all, { lastEndAgo: REDUCE_GRACE_MS - 1 }), now: NOW, probed: new Map() }))).toEqual(nothing);
    expect(verdict(decide({ snapshot: snapshot(all, { lastEndAgo: REDUCE_GRACE_MS }), now: NOW, probed: new Map() }))).toEqual({ ...nothing, reduceLost: true });
    expect(verdict(decide({ snapshot: snapshot(all, { lastEndAgo: 2000 }), now: NOW, probed: new Map(), reduceGraceMs: 1000 })).reduceLost).toBe(true);
  });

  it('does nothing for a job that is not running', () => {
    const s = snapshot([{ dispatchedAgo: 999_999 }], { state: 'done', lastEndAgo: 999_999 });
    expect(verdict(decide({ snapshot: s, now: NOW, probed: new Map() }))).toEqual(nothing);
  });
});

describe('supervisor decisions for a pull-mode job (workers claiming from its queue)', () => {
  const LEASE_MS = 1000;

  interface QueueState {
    done?: number[];
    /** Tasks claimed a first time. */
    claimed?: number;
    requeued?: number;
    /** Task index -> its lease expires this long from now (negative: expired). */
    leases?: Record<number, number>;
    /** Worker slot -> last seen this long ago (`left`: it found nothing to claim and left). */
    seen?: Record<number, number | 'left'>;
    lastEndAgo?: number;
    /** Task index -> its attempt started this long ago. */
    startedAgo?: Record<number, number>;
    speculated?: number[];
    speculation?: boolean;
  }

  /** A job of 4 tasks and 2 workers. */
  function pullSnapshot(q: QueueState): JobSnapshot {
    const s = snapshot([{}, {}, {}, {}], { lastEndAgo: q.lastEndAgo, speculation: q.speculation });
    s.meta = { ...s.meta, workers: 2, leaseMs: LEASE_MS };
    for (const i of q.done ?? []) s.done.add(i);
    for (const [i, ago] of Object.entries(q.startedAgo ?? {})) s.starts.set(Number(i), NOW - ago);
    for (const i of q.speculated ?? []) s.speculated.add(i);
    s.queue = {
      claimed: q.claimed ?? 0,
      requeued: q.requeued ?? 0,
      leases: new Map(Object.entries(q.leases ?? {}).map(([i, inMs]) => [Number(i), NOW + inMs])),
      workers: new Map(Object.entries(q.seen ?? {}).map(([slot, ago]) => [Number(slot), ago === 'left' ? 0 : NOW - ago])),
    };
    return s;
  }

  const pullVerdict = (d: Decision) => ({ ...verdict(d), requeueExpired: d.requeueExpired, startWorkers: d.startWorkers });
  const idle = { ...nothing, requeueExpired: false, startWorkers: [] };

  const rows: Array<[string, QueueState, Partial<ReturnType<typeof pullVerdict>>]> = [
    ['both workers at a task, leases live: nothing', { claimed: 2, leases: { 0: 500, 1: 500 }, seen: { 0: 100, 1: 100 } }, {}],
    ['a lease expired, its task not done: requeue it (the live worker claims it next)', { claimed: 4, done: [2, 3], leases: { 0: -1, 1: 500 }, seen: { 0: 100, 1: 100 } }, { requeueExpired: true }],
    ['a lease expired on a task done meanwhile: nothing to requeue', { claimed: 4, done: [0, 2, 3], leases: { 0: -1, 1: 500 }, seen: { 0: 100, 1: 100 } }, {}],
    ['a worker quiet for more than 2 leases while tasks wait: its slot is started again', { claimed: 2, leases: { 0: 500, 1: 500 }, seen: { 0: 2500, 1: 100 } }, { startWorkers: [0] }],
    ['a worker quiet for less than 2 leases: not yet', { claimed: 2, leases: { 0: 500, 1: 500 }, seen: { 0: 1500, 1: 100 } }, {}],
    ['both workers left, one task requeued: one worker is started', { claimed: 4, requeued: 1, done: [1, 2, 3], seen: { 0: 'left', 1: 'left' } }, { startWorkers: [0] }],
    ['both workers gone, their leases expired: requeue and start both', { claimed: 2, leases: { 0: -1, 1: -1 }, seen: { 0: 5000, 1: 5000 } }, { requeueExpired: true, startWorkers: [0, 1] }],
    ['no worker seen yet (their marks lost): start them', { claimed: 0 }, { startWorkers: [0, 1] }],
    ['quiet slots but nothing waiting (every task claimed, leases live): nothing', { claimed: 4, leases: { 0: 500, 1: 500, 2: 500, 3: 500 }, seen: { 0: 5000, 1: 100 } }, {}],
  ];
  it.each(rows)('%s', (_what, q, expected) => {
    expect(pullVerdict(decide({ snapshot: pullSnapshot(q), now: NOW, probed: new Map() }))).toEqual({ ...idle, ...expected });
  });

  // Typical run 500 ms: a task running more than 1 s is a straggler.
  const TYPICAL_MS = 500;
  const specRows: Array<[string, QueueState, Partial<ReturnType<typeof pullVerdict>>]> = [
    [
      'every task claimed, one worker left while a task runs past twice the typical: a copy, and a worker in the idle slot',
      { claimed: 4, done: [0, 1, 2], leases: { 3: 500 }, startedAgo: { 3: 3000 }, seen: { 0: 'left', 1: 100 } },
      { speculate: [3], startWorkers: [0] },
    ],
    ['the task runs less than twice the typical: no copy', { claimed: 4, done: [0, 1, 2], leases: { 3: 500 }, startedAgo: { 3: 900 }, seen: { 0: 'left', 1: 100 } }, {}],
    ['no worker idle: no copy', { claimed: 4, done: [0, 1], leases: { 2: 500, 3: 500 }, startedAgo: { 2: 3000, 3: 3000 }, seen: { 0: 100, 1: 100 } }, {}],
    ['the task had its copy: no other', { claimed: 4, done: [0, 1, 2], leases: { 3: 500 }, startedAgo: { 3: 3000 }, speculated: [3], seen: { 0: 'left', 1: 100 } }, {}],
    ['speculation off: no copy', { claimed: 4, done: [0, 1, 2], leases: { 3: 500 }, startedAgo: { 3: 3000 }, seen: { 0: 'left', 1: 100 }, speculation: false }, {}],
    ['tasks still wait for a first claim: workers, no copy', { claimed: 3, done: [0, 1], leases: { 2: 500 }, startedAgo: { 2: 3000 }, seen: { 0: 'left', 1: 'left' } }, { startWorkers: [0] }],
    ['a task waits to be claimed again: no copy', { claimed: 4, requeued: 1, done: [0, 1], leases: { 3: 500 }, startedAgo: { 3: 3000 }, seen: { 0: 'left', 1: 100 } }, {}],
    ['no task done yet (nothing typical to compare with): no copy', { claimed: 4, leases: { 0: 500, 1: 500, 2: 500, 3: 500 }, startedAgo: { 0: 3000 }, seen: { 0: 'left', 1: 100 } }, {}],
    [
      'two stragglers, one idle slot: a copy of the older only',
      { claimed: 4, done: [0, 1], leases: { 2: 500, 3: 500 }, startedAgo: { 2: 2000, 3: 3000 }, seen: { 0: 100, 1: 'left' } },
      { speculate: [3], startWorkers: [1] },
    ],
  ];
  it.each(specRows)('speculation: %s', (_what, q, expected) => {
    expect(pullVerdict(decide({ snapshot: pullSnapshot(q), now: NOW, probed: new Map(), typicalMs: TYPICAL_MS }))).toEqual({ ...idle, ...expected });
  });

  it("applies none of push mode's rules (dispatch marks, probes, lost coordinators, its speculation)", () => {
    const s = pullSnapshot({ claimed: 4, done: [1, 2, 3], leases: { 0: 500 }, seen: { 0: 100, 1: 100 } });
    s.dispatches.set(0, { at: NOW - 999_999, activationId: 'x' });
    s.starts.set(0, NOW - 999_999);
    s.meta.created = NOW - 999_999;
    expect(pullVerdict(decide({ snapshot: s, now: NOW, probed: new Map(), typicalMs: 1 }))).toEqual(idle);
  });

  it('takes the reduce for lost once every task is done, as in push mode', () => {
    const s = pullSnapshot({ claimed: 4, done: [0, 1, 2, 3], seen: { 0: 'left', 1: 'left' }, lastEndAgo: REDUCE_GRACE_MS });
    expect(pullVerdict(decide({ snapshot: s, now: NOW, probed: new Map() }))).toEqual({ ...idle, reduceLost: true });
  });
});

describe("an ended activation's record, probed", () => {
  const limit = 'The action exceeded its time limits of 300000 milliseconds.';
  it('reads a run stopped at its time limit as a time-out, with the platform’s reason', () => {
    expect(timeLimitExceeded({ annotations: [{ key: 'timeout', value: true }], response: { status: 'action developer error', result: { error: limit } } })).toBe(limit);
    expect(timeLimitExceeded({ response: { result: { error: `${limit.slice(0, -1)} during initialization.` } } })).toBe(`${limit.slice(0, -1)} during initialization.`);
    expect(timeLimitExceeded({ annotations: [{ key: 'timeout', value: true }], response: { result: {} } })).toBe('The action exceeded its time limit.');
  });
  it('reads any other end as not a time-out (a crash or a killed container is a lost run)', () => {
    expect(timeLimitExceeded({ annotations: [{ key: 'timeout', value: false }], response: { result: { error: 'The action did not produce a valid response and exited unexpectedly.' } } })).toBeUndefined();
    expect(timeLimitExceeded({ response: { status: 'success', result: { jobId: 'x' } } })).toBeUndefined();
    expect(timeLimitExceeded({})).toBeUndefined();
  });
});
