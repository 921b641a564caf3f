// A primes job of a few hundred tasks under each injected fault, alone and mixed: the count is exact, every task
// counted once, and the job's record says how much re-running it took. The same seed gives the same fault decisions.
// Every rule of recovery is table-tested on its own (supervisor-decide.test.ts); these runs show the rules hold
// together against the real platform, so the jobs are only as large as the fault counts asserted need.
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultDecision, FaultKind } from '../platform/index.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 4;
const TASKS = 300;
/** 429 bursts refuse 5 of every 20 invokes: this many tasks make well over 100 refusals. */
const BURST_TASKS = 500;
const BELOW = 2_000_000;
const PRIMES_BELOW = 148_933;
// Quick recovery for a test: the supervisor looks every 250 ms, a dispatched task's record after 0.5 s, a task that has
// not started 1.5 s after its invoke counts as lost.
const FAST = { supervisorMs: 250, probeAfterMs: 500, startTimeoutMs: 1500, fanout: 8, leafSize: 32 };

let env: PipelineEnv | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

async function runJob(e: PipelineEnv, onProgress?: (done: number) => Promise<void>, tasks = TASKS) {
  const { status, body } = await e.submit({ kernel: 'primes', params: { below: BELOW }, tasks });
  expect(status, JSON.stringify(body)).toBe(200);
  return e.waitForJob(body.jobId, { onProgress: (st) => onProgress?.(st.done) });
}

async function expectExact(e: PipelineEnv, st: Record<string, any>, tasks = TASKS) {
  expect(st, JSON.stringify(st).slice(0, 500)).toMatchObject({ state: 'done', done: tasks, total: tasks, result: { count: PRIMES_BELOW } });
  expect(await e.redis.hLen(jobKeys(st.jobId).partials)).toBe(tasks);
  expect(st.retries).toMatchObject({ tasks: expect.any(Number), invocations: expect.any(Number), speculative: expect.any(Number) });
  expect(st.retries.invocations).toBeLessThanOrEqual(st.retries.budget);
}

const injected = (e: PipelineEnv, kind: FaultKind) => e.platform.faults.stats().injected[kind];
const decisions = (log: FaultDecision[], kind: FaultKind) => log.filter((d) => d.kind === kind).map((d) => [d.n, d.fault, d.value ?? null]);

describe('jobs under injected faults', () => {
  it('killed containers: 5% of work activations', async () => {
    env = await startPipeline({ db: DB, params: { supercompute: FAST }, faults: { seed: 'kill', actions: 'work', killContainer: 0.05 } });
    const st = await runJob(env);
    await expectExact(env, st);
    expect(injected(env, 'killContainer')).toBeGreaterThan(5);
    expect(st.retries.tasks).toBeGreaterThan(0);
  });

  it('dropped activations: 5% of work and coordinate invokes accepted but never run', async () => {
    env = await startPipeline({ db: DB, params: { supercompute: FAST }, faults: { seed: 'drop', actions: ['work', 'coordinate'], dropActivation: 0.05 } });
    const st = await runJob(env);
    await expectExact(env, st);
    expect(injected(env, 'dropActivation')).toBeGreaterThan(5);
    expect(st.retries.tasks).toBeGreaterThan(0);
  });

  it('delayed container starts', async () => {
    env = await startPipeline({ db: DB, params: { supercompute: FAST }, faults: { seed: 'delay', actions: 'work', startDelay: 0.5, startDelayMs: [200, 1500] } });
    const st = await runJob(env);
    await expectExact(env, st);
    expect(injected(env, 'startDelay')).toBeGreaterThan(0);
  });

  it('429 bursts: 5 of every 20 invokes refused', async () => {
    const faults = { seed: 'burst', actions: ['work', 'coordinate', 'split', 'supervisor'], throttleBurst: { every: 20, length: 5 } };
    env = await startPipeline({ db: DB, params: { supercompute: FAST }, faults });
    const st = await runJob(env, undefined, BURST_TASKS);
    await expectExact(env, st, BURST_TASKS);
    expect(injected(env, 'throttle')).toBeGreaterThan(100);
  });

  it('one Redis reconnect mid-job', async () => {
    env = await startPipeline({ db: DB, params: { supercompute: FAST }, faults: { seed: 'redis', redisDrop: true } });
    let dropped = -1;
    const e = env;
    const st = await runJob(e, async (done) => {
      if (dropped < 0 && done >= 50) dropped = await e.platform.faults.dropRedis();
    });
    await expectExact(env, st);
    expect(dropped).toBeGreaterThan(0);
    expect(env.platform.faults.stats().errors).toEqual([]);
  });

  it('mixed: 5% killed + 5% dropped + 429 bursts + one Redis reconnect; the same seed decides the same way', async () => {
    const faults = {
      seed: 'mixed-1',
      actions: ['work', 'coordinate'],
      killContainer: 0.05,
      dropActivation: 0.05,
      throttleBurst: { every: 25, length: 5 },
      redisDrop: true,
    };
    env = await startPipeline({ db: DB, params: { supercompute: FAST }, faults });
    const e = env;
    let dropped = -1;
    const st = await runJob(e, async (done) => {
      if (dropped < 0 && done >= 100) dropped = await e.platform.faults.dropRedis();
    });
    await expectExact(e, st);
    const stats = e.platform.faults.stats();
    expect(stats.seed).toBe('mixed-1');
    expect(stats.injected.killContainer + stats.injected.dropActivation).toBeGreaterThan(10);
    expect(stats.injected.throttle).toBeGreaterThan(50);
    expect(dropped).toBeGreaterThan(0);
    expect(st.retries.tasks).toBeGreaterThan(0);
    const first = e.platform.faults.log();
    await e.stop();

    // A second platform, same seed, a smaller job: its decisions are a prefix of the first run's, kind by kind.
    env = await startPipeline({ db: DB, params: { supercompute: FAST }, faults });
    const { body } = await env.submit({ kernel: 'primes', params: { below: 1e5 }, tasks: 100 });
    expect((await env.waitForJob(body.jobId)).result).toMatchObject({ count: 9592 });
    const second = env.platform.faults.log();
    for (const kind of ['killContainer', 'dropActivation', 'throttle'] as const) {
      const a = decisions(first, kind);
      const b = decisions(second, kind);
      expect(b.length).toBeGreaterThan(10);
      const n = Math.min(a.length, b.length);
      expect(b.slice(0, n)).toEqual(a.slice(0, n));
    }
  });
});
