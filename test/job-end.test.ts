// Answering a job's end when it happens: every script that ends a job publishes its new state on the job's `ended`
// channel, the store's waiters share one subscription per channel, and `status` with `waitMs` holds its answer until
// the job ends (or `waitMs` passes).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newJobId } from '../pipeline/job/ids.ts';
import { MAX_STATUS_WAIT_MS } from '../pipeline/job/status.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { jobEndedChannel } from '../pipeline/store/keys.ts';
import { closeAll, getRedis } from '../pipeline/store/redis.ts';
import { specOf } from './helpers/job-spec.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 15;

let env: PipelineEnv;
let store: JobStore;

beforeAll(async () => {
  env = await startPipeline({ db: DB });
  store = new JobStore(await getRedis(env.redisUrl), 3600);
});
afterAll(async () => {
  await closeAll();
  await env?.stop();
});

/** A running job written straight into the store: nothing dispatches its tasks, so it ends only when a test ends it. */
async function heldJob(tuning: Parameters<typeof specOf>[3] = {}): Promise<string> {
  const jobId = newJobId();
  expect(await store.create(jobId, specOf('sleep', { ms: 0 }, 2, tuning))).toBe(true);
  return jobId;
}

/** Connections subscribed to the job's `ended` channel. */
async function subscribers(jobId: string): Promise<number> {
  const reply = (await env.redis.sendCommand(['PUBSUB', 'NUMSUB', jobEndedChannel(jobId)])) as [string, number];
  return Number(reply[1]);
}

/** Resolves once someone (a `status` call, a store waiter) listens for the job's end. */
async function someoneWaitsFor(jobId: string): Promise<void> {
  await vi.waitFor(async () => expect(await subscribers(jobId)).toBeGreaterThan(0), { timeout: 60_000, interval: 20 });
}

/**
 * The messages on the job's `ended` channel while `end` runs: a test subscriber listens before, and a marker published
 * after `end` closes the list (messages on one channel arrive in order), so a missing or a second message shows.
 */
async function endMessages(jobId: string, end: () => Promise<unknown>): Promise<string[]> {
  const sub = env.redis.duplicate();
  await sub.connect();
  try {
    const got: string[] = [];
    let closed!: () => void;
    const marker = new Promise<void>((resolve) => (closed = resolve));
    await sub.subscribe(jobEndedChannel(jobId), (message) => (message === 'marker' ? closed() : got.push(message)));
    await end();
    await env.redis.publish(jobEndedChannel(jobId), 'marker');
    await marker;
    return got;
  } finally {
    await sub.quit();
  }
}

/** `status` over the web, through `.http`: the action's status code and body. */
async function webStatus(query: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${env.web}/status.http?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('the job-end message', () => {
  it('is published once when a job is done, and not again by a second finish', async () => {
    const jobId = await heldJob();
    expect(await endMessages(jobId, () => store.finish(jobId, '{"tasks":2,"totalMs":0}'))).toEqual(['done']);
    expect(await endMessages(jobId, () => store.finish(jobId, '{"tasks":2,"totalMs":0}'))).toEqual([]);
  });

  it('is published when a job fails, by each script that fails one', async () => {
    const failedJob = await heldJob();
    expect(await endMessages(failedJob, () => store.failJob(failedJob, 'given up'))).toEqual(['failed']);
    expect(await endMessages(failedJob, () => store.failJob(failedJob, 'given up again'))).toEqual([]);

    const failedTask = await heldJob();
    expect(await endMessages(failedTask, () => store.failTask(failedTask, 0, 'boom', 0))).toEqual(['failed']);

    const budgetSpent = await heldJob({ retryBudget: 1 });
    expect(await endMessages(budgetSpent, () => store.reinvoke(budgetSpent, 0, 'lost', 'budget spent'))).toEqual([]);
    expect(await endMessages(budgetSpent, () => store.reinvoke(budgetSpent, 1, 'lost', 'budget spent'))).toEqual(['failed']);
  });

  it('is published when a job is cancelled', async () => {
    const jobId = await heldJob();
    expect(await endMessages(jobId, () => store.cancel(jobId))).toEqual(['cancelled']);
    expect(await endMessages(jobId, () => store.cancel(jobId))).toEqual([]);
  });
});

describe("the store's wait for a job's end", () => {
  it('shares one subscription among its waiters, held until the last one is done', async () => {
    const jobId = await heldJob();
    const long = store.waitForEnd(jobId, 60_000);
    await someoneWaitsFor(jobId);
    // A waiter that gives up leaves the channel subscribed for the one still waiting.
    expect(await store.waitForEnd(jobId, 1)).toBe('running');
    await store.finish(jobId, '{"tasks":2,"totalMs":0}');
    expect(await long).toBe('done');
    // An end that came before the wait: the read after subscribing answers it.
    expect(await store.waitForEnd(jobId, 60_000)).toBe('done');
    await vi.waitFor(async () => expect(await subscribers(jobId)).toBe(0), { timeout: 60_000, interval: 20 });
  });

  it('answers an unknown job at once', async () => {
    expect(await store.waitForEnd(newJobId(), 60_000)).toBeUndefined();
  });
});

describe('status with waitMs', () => {
  it('answers the end of a job that ends while it waits', async () => {
    const jobId = await heldJob();
    const answer = env.jobs.status(jobId, MAX_STATUS_WAIT_MS);
    await someoneWaitsFor(jobId);
    await store.finish(jobId, '{"tasks":2,"totalMs":0}');
    expect(await answer).toMatchObject({ jobId, state: 'done', total: 2, result: { tasks: 2, totalMs: 0 } });
  });

  it('answers a cancel that comes while it waits', async () => {
    const jobId = await heldJob();
    const answer = webStatus(`jobId=${jobId}&waitMs=${MAX_STATUS_WAIT_MS}`);
    await someoneWaitsFor(jobId);
    await store.cancel(jobId);
    expect(await answer).toMatchObject({ status: 200, body: { jobId, state: 'cancelled' } });
  });

  it('answers `running` when waitMs passes first', async () => {
    const jobId = await heldJob();
    expect(await env.jobs.status(jobId, 50)).toMatchObject({ jobId, state: 'running', done: 0, total: 2 });
    await store.cancel(jobId);
  });

  it('answers 400 for a malformed or too long waitMs, and 404 for an unknown job', async () => {
    const jobId = await heldJob();
    for (const bad of ['soon', '-1', String(MAX_STATUS_WAIT_MS + 1), 'Infinity', '0x10', '1e3']) {
      const { status, body } = await webStatus(`jobId=${jobId}&waitMs=${bad}`);
      expect(status).toBe(400);
      expect(body.error).toBe(`'waitMs' must be a number of milliseconds from 0 to ${MAX_STATUS_WAIT_MS}`);
    }
    expect((await webStatus(`jobId=${newJobId()}&waitMs=1000`)).status).toBe(404);
    await store.cancel(jobId);
  });
});
