// The supervisor's decisions as a pure function over job states: one row per situation a task or a reduce can be in.
import { describe, expect, it } from 'vitest';
import { decide, MAX_PROBES, REDUCE_GRACE_MS, type Decision } from '../pipeline/supervisor/decide.ts';
import type { JobSnapshot } from '../pipeline/store/job-store.ts';
import { specOf } from './helpers/job-spec.ts';

const NOW = 1_000_000_000;
const TUNING = { probeAfterMs: 5000, startTimeoutMs: 60_000, taskTimeoutMs: 330_000 };

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

function snapshot(tasks: TaskState[], job: { createdAgo?: number; lastDispatchAgo?: number; lastEndAgo?: number; state?: 'running' | 'done'; speculation?: boolean } = {}): JobSnapshot {
  const spec = specOf('sleep', { ms: 0 }, tasks.length, { ...TUNING, speculation: job.speculation ?? true });
  const s: JobSnapshot = {
    meta: {
      ...spec,
      state: job.state ?? 'running',
      created: NOW - (job.createdAgo ?? 10_000),
      expiresAt: NOW + 1e9,
      lastDispatch: job.lastDispatchAgo === undefined ? undefined : NOW - job.lastDispatchAgo,
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
