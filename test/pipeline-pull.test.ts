// Pull mode: W worker activations claim the job's tasks from its queue in Redis. The claim script on its own under
// concurrency, then whole jobs on the platform: exact with W activations instead of one per task, a dead worker's
// task claimed again once its lease expires, cancellation, handing over near the time limit, workers killed mid-task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { JobStore } from '../pipeline/store/job-store.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { newJobId } from '../pipeline/job/ids.ts';
import type { JobSpec } from '../pipeline/job/spec.ts';
import { specOf } from './helpers/job-spec.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { waitUntil } from './helpers/wait-until.ts';

const DB = 3;
// Quick recovery: the supervisor looks every 200 ms; a worker's lease lasts 3 s (it is gone after 2 quiet leases).
// Each sleep worker keeps 64 tasks in flight, so jobs of a few hundred tasks are still running when cancels, kills and
// hand-overs happen.
const FAST = { supervisorMs: 200, probeAfterMs: 500, startTimeoutMs: 2000, leaseMs: 3000, ioTasksPerWorker: 64 };
const PRIMES_BELOW_1E6 = 78_498;

let env: PipelineEnv;
const connections: Array<ReturnType<typeof createClient>> = [];

beforeAll(async () => {
  env = await startPipeline({ db: DB, params: { supercompute: FAST } });
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
  await env?.stop();
});

function pullSpec(total: number, workers: number, tuning: Partial<JobSpec> = {}): JobSpec {
  return { ...specOf('sleep', { ms: 0 }, total, { ...FAST, retries: 0 }), mode: 'pull', workers, ...tuning };
}

/** Stores on their own connections, so that their scripts really interleave at the server. */
async function separateStores(n: number): Promise<JobStore[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const c = createClient({ url: env.redisUrl });
      connections.push(c);
      await c.connect();
      return new JobStore(c);
    }),
  );
}

/** Results of the job's ended worker activations of its kernel's tasks action (a killed one's has no jobId). */
async function workResults(e: PipelineEnv, jobId: string, kernelAction?: string): Promise<Array<Record<string, any>>> {
  // A cancelled job's record no longer names its kernel action: the caller read it before.
  const action = kernelAction ?? (await e.redis.hGet(jobKeys(jobId).meta, 'kernelAction'))!;
  const records = (await e.ow.activations.list({ name: action, docs: true, limit: 200 })) as Array<{ response?: { result?: Record<string, any> } }>;
  return records.map((r) => r.response?.result ?? {}).filter((r) => r.jobId === jobId);
}

describe('the task queue (store)', () => {
  it('hands every task to exactly one of many concurrent claimers, then reports the queue empty', async () => {
    const jobId = newJobId();
    const spec = pullSpec(200, 5);
    expect(await new JobStore(env.redis).create(jobId, spec)).toBe(true);
    const stores = await separateStores(5);
    const claimed = await Promise.all(
      stores.map(async (store, worker) => {
        const mine: number[] = [];
        for (;;) {
          const c = await store.claimTask(jobId, worker, 60_000);
          if (!('index' in c)) return mine;
          mine.push(c.index);
        }
      }),
    );
    const all = claimed.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: spec.total }, (_, i) => i));
    expect(claimed.filter((mine) => mine.length > 0).length).toBeGreaterThan(1);
    expect(await env.redis.zCard(jobKeys(jobId).leases)).toBe(spec.total);
    // Those that found it empty left: their heartbeat reads 0.
    expect(Object.values(await env.redis.hGetAll(jobKeys(jobId).workers))).toEqual(['0', '0', '0', '0', '0']);
  });

  it('counts every task once when every task is claimed twice (its first lease expired) and both holders complete it', async () => {
    const jobId = newJobId();
    const spec = pullSpec(30, 2, { retryBudget: 100 });
    const store = new JobStore(env.redis);
    await store.create(jobId, spec);
    const t0 = Date.now();
    const claimAll = async (worker: number, now: number) => {
      const out: number[] = [];
      for (let c = await store.claimTask(jobId, worker, 1000, now); 'index' in c; c = await store.claimTask(jobId, worker, 1000, now)) out.push(c.index);
      return out;
    };
    const first = await claimAll(0, t0);
    expect(first).toHaveLength(30);
    // Nothing has expired yet; a moment after the leases' end every task goes back to the queue, once.
    expect((await store.requeueExpired(jobId, 'budget spent', 1000, t0 + 999)).requeued).toEqual([]);
    const requeued = await store.requeueExpired(jobId, 'budget spent', 1000, t0 + 1000);
    expect(requeued.requeued.sort((a, b) => a - b)).toEqual(first.sort((a, b) => a - b));
    expect((await store.requeueExpired(jobId, 'budget spent', 1000, t0 + 5000)).requeued).toEqual([]);
    const second = await claimAll(1, t0 + 1001);
    expect(second.sort((a, b) => a - b)).toEqual(first);

    const stores = await separateStores(2);
    const completions = await Promise.all(
      first.flatMap((i) => [stores[0].completeTask(jobId, i, JSON.stringify({ slept: 0 })), stores[1].completeTask(jobId, i, JSON.stringify({ slept: 0 }))]),
    );
    expect(completions.filter((r) => r.added)).toHaveLength(30);
    expect(completions.filter((r) => r.completed)).toHaveLength(1);
    expect(await store.doneCount(jobId)).toBe(30);
    // The completion dropped every lease: nothing is left to requeue.
    expect(await env.redis.zCard(jobKeys(jobId).leases)).toBe(0);
    // One worker was lost, with its 30 tasks: the budget pays once for the worker, and every task counts as re-run.
    expect((await store.meta(jobId))?.reinvokes).toBe(1);
    expect(await env.redis.hLen(jobKeys(jobId).retried)).toBe(30);
  });

  it("records each claimed attempt's start and activation in the claim itself", async () => {
    const jobId = newJobId();
    const store = new JobStore(env.redis);
    await store.create(jobId, pullSpec(2, 1));
    expect(await store.claimTask(jobId, 0, 60_000, 1_000, 'act-a')).toEqual({ index: 0 });
    expect(await store.claimTask(jobId, 0, 60_000, 1_500)).toEqual({ index: 1 });
    const k = jobKeys(jobId);
    expect(await env.redis.hGetAll(k.starts)).toEqual({ 0: '1000', 1: '1500' });
    expect(await env.redis.hGetAll(k.startedBy)).toEqual({ 0: 'act-a' });
    expect(await env.redis.hmGet(k.meta, ['firstStart', 'lastStart'])).toEqual(['1000', '1500']);
  });

  it('requeues a failed attempt from the retry budget, and fails the job once the budget is spent', async () => {
    const jobId = newJobId();
    const store = new JobStore(env.redis);
    await store.create(jobId, pullSpec(4, 1, { retryBudget: 1 }));
    const a = await store.claimTask(jobId, 0, 60_000);
    expect(a).toEqual({ index: 0 });
    expect(await store.requeueTask(jobId, 0, 'task 0 failed; budget spent')).toEqual({ requeued: true, count: 1 });
    expect(await store.claimTask(jobId, 0, 60_000)).toEqual({ index: 0 });
    expect(await store.renewLease(jobId, 0, 0, 60_000)).toBe(true);
    expect(await store.renewLease(jobId, 0, 9, 60_000)).toBe(false);
    expect(await store.requeueTask(jobId, 0, 'task 0 failed; budget spent')).toEqual({ requeued: false, why: 'budget-spent' });
    expect(await store.meta(jobId)).toMatchObject({ state: 'failed', error: 'task 0 failed; budget spent', failedTask: 0 });
    expect(await store.claimTask(jobId, 0, 60_000)).toEqual({ ended: 'failed' });
  });

  it('queues one speculative copy of a claimed task for another worker; the first completion counts, once', async () => {
    const jobId = newJobId();
    const store = new JobStore(env.redis);
    await store.create(jobId, pullSpec(2, 2));
    expect(await store.claimTask(jobId, 0, 60_000)).toEqual({ index: 0 });
    expect(await store.claimTask(jobId, 0, 60_000)).toEqual({ index: 1 });
    expect(await store.speculateTask(jobId, 1)).toBe(true);
    expect(await store.speculateTask(jobId, 1)).toBe(false);
    expect(await store.claimTask(jobId, 1, 60_000)).toEqual({ index: 1 });
    // The copy holds the lease now; the first attempt's renewals fail, its work goes on.
    expect(await store.renewLease(jobId, 1, 0, 60_000)).toBe(false);
    expect(await store.completeTask(jobId, 0, '{"slept":0}')).toMatchObject({ added: true, completed: false });
    expect(await store.completeTask(jobId, 1, '{"slept":0}')).toMatchObject({ added: true, completed: true });
    expect(await store.completeTask(jobId, 1, '{"slept":0}')).toMatchObject({ added: false, completed: false });
    expect(await store.speculateTask(jobId, 1)).toBe(false);
    const meta = await store.meta(jobId);
    expect([meta?.speculated, meta?.reinvokes ?? 0]).toEqual([1, 0]);
    expect(await store.claimTask(jobId, 1, 60_000)).toEqual({ empty: true });
  });

  it('claims nothing from a cancelled job, and writes nothing beside its record', async () => {
    const jobId = newJobId();
    const store = new JobStore(env.redis);
    await store.create(jobId, pullSpec(4, 2));
    await store.claimTask(jobId, 0, 60_000);
    await store.cancel(jobId);
    expect(await store.claimTask(jobId, 1, 60_000)).toEqual({ ended: 'cancelled' });
    expect(await store.renewLease(jobId, 0, 0, 60_000)).toBe(false);
    expect(await store.markWorkers(jobId, [0, 1])).toBe('cancelled');
    expect((await env.jobKeys()).filter((k) => k.includes(jobId))).toEqual([jobKeys(jobId).meta]);
  });
});

describe('pull-mode jobs', () => {
  it('computes the exact result with about W worker activations instead of one per task', async () => {
    // The deployment's own leases (30 s), not this file's quick ones: a worker still in its cold start on a busy machine
    // must not count as gone and be started again, which is what this test counts.
    const env = await startPipeline({ db: DB });
    try {
      const tasks = 60;
      const workers = 4;
      const { status, body } = await env.submit({ kernel: 'primes', params: { below: 1e6 }, tasks, workers });
      expect(status, JSON.stringify(body)).toBe(200);
      const st = await env.waitForJob(body.jobId);
      expect(st).toMatchObject({ state: 'done', done: tasks, total: tasks, result: { count: PRIMES_BELOW_1E6 } });
      expect(await env.redis.hLen(jobKeys(body.jobId).partials)).toBe(tasks);
      const results = await waitUntil('every worker to end', async () => {
        const r = await workResults(env, body.jobId);
        return r.length >= workers && r.every((w) => w.ended || w.skipped) ? r : undefined;
      });
      expect(results.length, JSON.stringify({ retries: st.retries, results: results.map((w) => [w.worker, w.ended ?? w.skipped, w.counted, w.claimed]) })).toBeLessThanOrEqual(2 * workers);
      expect(results.reduce((n, w) => n + w.counted, 0)).toBe(tasks);
      expect(results.filter((w) => w.ended === 'completed')).toHaveLength(1);
    } finally {
      await env.stop();
    }
  });

  it("claims a dead worker's task again once its lease expires, and counts it once", async () => {
    const store = new JobStore(env.redis);
    const jobId = newJobId();
    // No speculation: a copy of the dead worker's task would finish the job before its lease expires.
    await store.create(jobId, pullSpec(12, 2, { kernel: 'sleep', params: JSON.stringify({ ms: 20 }), speculation: false }));
    // A worker (slot 7, not one of the job's) claims task 0 with a short lease and dies.
    expect(await store.claimTask(jobId, 7, 500)).toEqual({ index: 0 });
    await env.ow.actions.invoke({ name: 'split', params: { jobId }, blocking: true });
    await env.ow.actions.invoke({ name: 'supervisor', params: { jobId } });
    const st = await env.waitForJob(jobId);
    expect(st).toMatchObject({ state: 'done', done: 12, total: 12, result: { tasks: 12, totalMs: 240 } });
    expect(st.retries).toMatchObject({ tasks: 1, invocations: 1 });
    expect(await env.redis.hGet(jobKeys(jobId).retried, '0')).toBe('1');
    // The dead worker's late completion counts for nothing.
    expect(await store.completeTask(jobId, 0, '{"slept":20}')).toMatchObject({ added: false, completed: false });
    expect(await store.doneCount(jobId)).toBe(12);
  });

  it('stops every worker when the job is cancelled; its keys go but the record', async () => {
    const workers = 3;
    // Sleep waits, so each worker runs up to 64 of these at once: enough of them to be cancelled mid-job.
    const { body } = await env.submit({ kernel: 'sleep', params: { ms: 1000 }, tasks: 1000, workers });
    const jobId = body.jobId as string;
    await waitUntil('some tasks to be done', async () => ((await env.jobs.status(jobId)).done >= 6 ? true : undefined));
    const kernelAction = (await env.redis.hGet(jobKeys(jobId).meta, 'kernelAction'))!;
    expect(await env.jobs.cancel(jobId)).toEqual({ jobId, state: 'cancelled' });
    const results = await waitUntil('every worker to stop', async () => {
      const r = await workResults(env, jobId, kernelAction);
      return r.length >= workers ? r : undefined;
    });
    for (const r of results) expect(r.skipped).toBe('cancelled');
    expect((await env.jobKeys()).filter((k) => k.includes(jobId))).toEqual([jobKeys(jobId).meta]);
    expect(await env.jobs.status(jobId)).toMatchObject({ state: 'cancelled' });
  });

  /** Creates a pull-mode job in the store and starts it as the entry action would. */
  async function startJob(spec: JobSpec): Promise<string> {
    const jobId = newJobId();
    await new JobStore(env.redis).create(jobId, spec);
    await env.ow.actions.invoke({ name: 'split', params: { jobId }, blocking: true });
    await env.ow.actions.invoke({ name: 'supervisor', params: { jobId } });
    return jobId;
  }

  it('fails the job with the real reason once a task that hangs (its lease renewed) has run past its time limit more often than its retries', async () => {
    // Task 3 waits a minute, far past its 1 s limit; the worker's other tasks are done meanwhile.
    const params = JSON.stringify({ ms: 0, slowTask: 3, slowMs: 60_000 });
    const jobId = await startJob(pullSpec(8, 1, { params, taskTimeoutMs: 1000, retries: 1 }));
    const st = await env.waitForJob(jobId);
    expect(st).toMatchObject({ state: 'failed', done: 7, total: 8, error: 'task 3 exceeded its time limit of 1000 ms' });
    expect(await env.redis.hGet(jobKeys(jobId).attempts, '3')).toBe('2');
    expect(await env.redis.hGet(jobKeys(jobId).retried, '3')).toBe('1');
  });

  it('counts a task once when an attempt given up at its time limit completes after all, while its retry runs', async () => {
    // One claim at a time, as for a CPU-bound kernel: task 3's attempt is given up after 1 s and the task claimed again
    // at once; the first attempt's work ends at 1.5 s and counts, the retry's (given up too) changes nothing.
    const params = JSON.stringify({ ms: 0, slowTask: 3, slowMs: 1500 });
    const jobId = await startJob(pullSpec(6, 1, { params, taskTimeoutMs: 1000, retries: 3, ioTasksPerWorker: 1 }));
    const st = await env.waitForJob(jobId);
    expect(st).toMatchObject({ state: 'done', done: 6, total: 6, result: { tasks: 6, totalMs: 1500 } });
    expect(await env.redis.hLen(jobKeys(jobId).partials)).toBe(6);
    expect(Number(await env.redis.hGet(jobKeys(jobId).attempts, '3'))).toBeGreaterThanOrEqual(1);
    expect(Number(await env.redis.hGet(jobKeys(jobId).retried, '3'))).toBeGreaterThanOrEqual(1);
    // No other task failed an attempt.
    expect(await env.redis.hLen(jobKeys(jobId).attempts)).toBe(1);
    const records = await new JobStore(env.redis).taskRecords(jobId);
    expect(records.size).toBe(6);
  });

  it("gives a straggler a second copy once nothing is left to claim and a worker is idle, and counts the first completion once", async () => {
    // Task 5 waits 10 s, the others 100 ms: the worker done first leaves while the other still waits on task 5.
    const params = JSON.stringify({ ms: 100, slowTask: 5, slowMs: 10_000 });
    const jobId = await startJob(pullSpec(8, 2, { params }));
    const st = await env.waitForJob(jobId);
    expect(st).toMatchObject({ state: 'done', done: 8, total: 8, result: { tasks: 8, totalMs: 7 * 100 + 10_000 } });
    expect(st.retries).toMatchObject({ speculative: 1, invocations: 0 });
    expect(await env.redis.hKeys(jobKeys(jobId).speculated)).toEqual(['5']);
    // The copy started (the latest attempt's activation) in another activation than the one that counted.
    const counted = (await new JobStore(env.redis).taskRecords(jobId)).get(5)!;
    const copy = await env.redis.hGet(jobKeys(jobId).startedBy, '5');
    expect(copy).toBeTruthy();
    expect(copy).not.toBe(counted.activationId);
    // Every worker ended, the copy's too: the tasks they counted add up to the job's, once each.
    const results = await waitUntil('every worker to end', async () => {
      const r = await workResults(env, jobId);
      return r.length >= 3 && r.every((w) => w.ended || w.skipped) ? r : undefined;
    });
    expect(results.reduce((n, w) => n + (w.counted ?? 0), 0)).toBe(8);
  });

  // Last in this platform's tests: it shortens the worker action's time limit.
  it('hands over to a fresh worker near the time limit, between tasks, and stays exact', async () => {
    await env.ow.actions.update({ name: env.kernelAction.sleep!, action: { limits: { timeout: 17_000 } } });
    // Two workers with 64 sleeps in flight each need several rounds of 1 s: past the 2 s before they must hand over.
    const tasks = 400;
    const { body } = await env.submit({ kernel: 'sleep', params: { ms: 1000 }, tasks, workers: 2 });
    const st = await env.waitForJob(body.jobId);
    expect(st).toMatchObject({ state: 'done', done: tasks, result: { tasks, totalMs: tasks * 1000 } });
    expect(st.retries.tasks).toBe(0);
    const results = await waitUntil('every worker to end', async () => {
      const r = await workResults(env, body.jobId);
      return r.filter((w) => w.ended !== 'handedOver').length >= 2 ? r : undefined;
    });
    expect(results.filter((w) => w.ended === 'handedOver').length).toBeGreaterThan(0);
    expect(results.reduce((n, w) => n + w.counted, 0)).toBe(tasks);
  });
});

describe('pull-mode jobs under faults', () => {
  it('is exact when worker containers are killed mid-task', async () => {
    const e = await startPipeline({
      db: DB,
      params: { supercompute: { ...FAST, leaseMs: 1500 } },
      faults: { seed: 'pull-kill', actions: 'sleep@*', killContainer: 0.3, killAfterMs: [300, 1500] },
    });
    try {
      // Each worker holds up to 64 sleeps at once; 1 s each, so the kills (0.3 – 1.5 s in) find tasks in flight.
      const tasks = 600;
      const { status, body } = await e.submit({ kernel: 'sleep', params: { ms: 1000 }, tasks, workers: 6 });
      expect(status, JSON.stringify(body)).toBe(200);
      const st = await e.waitForJob(body.jobId);
      expect(st, JSON.stringify(st).slice(0, 500)).toMatchObject({ state: 'done', done: tasks, total: tasks, result: { tasks, totalMs: tasks * 1000 } });
      expect(await e.redis.hLen(jobKeys(body.jobId).partials)).toBe(tasks);
      expect(e.platform.faults.stats().injected.killContainer).toBeGreaterThan(0);
      expect(st.retries.tasks).toBeGreaterThan(0);
      expect(st.retries.invocations).toBeLessThanOrEqual(st.retries.budget);
    } finally {
      await e.stop();
    }
  });
});

describe('starting many workers', () => {
  it('starts workers through the coordinator tree when they do not fit one leaf, each slot once', async () => {
    // Leaves of 2 slots and fan-out 2: 6 workers take two levels of coordinators.
    const e = await startPipeline({ db: DB, params: { supercompute: { ...FAST, leafSize: 2, fanout: 2 } } });
    try {
      const tasks = 60;
      const workers = 6;
      const since = Date.now();
      const { status, body } = await e.submit({ kernel: 'sleep', params: { ms: 5 }, tasks, workers });
      expect(status, JSON.stringify(body)).toBe(200);
      const st = await e.waitForJob(body.jobId);
      expect(st).toMatchObject({ state: 'done', done: tasks, total: tasks, result: { tasks, totalMs: tasks * 5 } });
      const results = await waitUntil('every worker to end', async () => {
        const r = await workResults(e, body.jobId);
        return r.length >= workers && r.every((w) => w.ended || w.skipped) ? r : undefined;
      });
      expect(new Set(results.map((w) => w.worker))).toEqual(new Set(Array.from({ length: workers }, (_, i) => i)));
      const coordinators = (await e.ow.activations.list({ name: 'coordinate', since, docs: true, limit: 200 })) as Array<{ response: { result: Record<string, any> } }>;
      const started = coordinators.map((c) => c.response.result).filter((r) => r.jobId === body.jobId && r.workers !== undefined);
      expect(started.reduce((n, r) => n + r.workers, 0)).toBe(workers);
    } finally {
      await e.stop();
    }
  });
});
