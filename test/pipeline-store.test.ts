// The Redis job store on its own, against a real Redis at REDIS_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { JobStore } from '../pipeline/store/job-store.ts';
import { specOf } from './helpers/job-spec.ts';
import { KEY_PREFIX, jobKeys } from '../pipeline/store/keys.ts';
import { newJobId, isJobId } from '../pipeline/job/ids.ts';
import { getRedis, closeAll } from '../pipeline/store/redis.ts';
import { StoreUnavailableError } from '../pipeline/store/unavailable.ts';
import { redact, addSecret } from '../pipeline/openwhisk/redact.ts';
import { splitRange, toRanges } from '../pipeline/dispatch/ranges.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const spec = specOf('sleep', { ms: 0 }, 50, { fanout: 4, leafSize: 8, concurrency: 4, retries: 1 });

let store: JobStore;
const clients: Array<ReturnType<typeof createClient>> = [];

async function keysOf(jobId: string): Promise<string[]> {
  const redis = await getRedis(REDIS_URL);
  const out: string[] = [];
  for await (const k of redis.scanIterator({ MATCH: `${KEY_PREFIX}{${jobId}}*`, COUNT: 1000 })) out.push(k);
  return out.sort();
}

beforeAll(async () => {
  store = new JobStore(await getRedis(REDIS_URL), 3600);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await closeAll();
});

describe('job store', () => {
  it('makes unguessable ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newJobId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isJobId(id)).toBe(true);
    // A command line would take an id starting with '-' for an option.
    expect([...ids].filter((id) => id.startsWith('-'))).toEqual([]);
    expect(isJobId('../../etc')).toBe(false);
  });

  it('creates a job once, under one prefix, with a TTL on every key', async () => {
    const jobId = newJobId();
    expect(await store.create(jobId, spec)).toBe(true);
    expect(await store.create(jobId, { ...spec, total: 7 })).toBe(false);
    expect((await store.meta(jobId))?.total).toBe(50);
    await store.startTask(jobId, 0);
    await store.completeTask(jobId, 0, '1');
    await store.failTask(jobId, 1, 'boom', 5);
    const keys = await keysOf(jobId);
    const k = jobKeys(jobId);
    expect(keys).toEqual([k.attempts, k.doneBits, k.meta, k.partials, k.starts, k.taskErrors].sort());
    const redis = await getRedis(REDIS_URL);
    for (const k of keys) {
      const ttl = await redis.pTTL(k);
      expect(ttl).toBeGreaterThan(3_500_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    }
    await store.remove(jobId);
    expect(await keysOf(jobId)).toEqual([]);
  });

  it('tells which of some tasks are done, from the bitmap bytes covering them', async () => {
    const jobId = newJobId();
    await store.create(jobId, spec);
    expect(await store.doneAmong(jobId, [0, 9, 40])).toEqual(new Set());
    for (const i of [7, 9, 17, 40]) await store.completeTask(jobId, i, '1');
    expect(await store.doneAmong(jobId, [40, 6, 7, 8, 9, 17, 49])).toEqual(new Set([7, 9, 17, 40]));
    expect(await store.doneAmong(jobId, [])).toEqual(new Set());
    await store.remove(jobId);
  });

  it('counts each task once and reports completion exactly once under concurrency', async () => {
    const jobId = newJobId();
    await store.create(jobId, spec);
    // Separate connections, so the calls really interleave at the server.
    const stores = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const c = createClient({ url: REDIS_URL });
        clients.push(c);
        await c.connect();
        return new JobStore(c);
      }),
    );
    const calls = [];
    for (let rep = 0; rep < 3; rep++) {
      for (let i = 0; i < spec.total; i++) calls.push(stores[(i + rep) % stores.length].completeTask(jobId, i, JSON.stringify(i * 10 + rep)));
    }
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.added)).toHaveLength(spec.total);
    expect(results.filter((r) => r.completed)).toHaveLength(1);
    expect(await store.doneCount(jobId)).toBe(spec.total);
    const partials = await store.partials(jobId);
    expect(partials.map((p) => p.index)).toEqual(Array.from({ length: spec.total }, (_, i) => i));
    // Exactly one value per task, from one of its attempts.
    for (const p of partials) expect(Math.floor(Number(p.partial) / 10)).toBe(p.index);
    await store.remove(jobId);
  });

  it('records start times and timings', async () => {
    const jobId = newJobId();
    const t = Date.now();
    await store.create(jobId, { ...spec, total: 2 }, t + 1000);
    await store.startTask(jobId, 0, t + 2000);
    await store.startTask(jobId, 1, t + 1500);
    await store.startTask(jobId, 1, t + 9000); // a retry keeps the task's first start but still moves lastStart
    await store.completeTask(jobId, 0, '1', t + 3000);
    const r = await store.completeTask(jobId, 1, '2', t + 4000);
    expect(r.completed).toBe(true);
    expect(await store.finish(jobId, '3', t + 5000)).toBe('stored');
    expect(await store.finish(jobId, '4', t + 6000)).toBe('already-done');
    const st = await store.status(jobId);
    expect(st).toMatchObject({ state: 'done', done: 2, total: 2, result: 3 });
    expect(st?.timings).toEqual({
      jobStart: t + 1000,
      firstWorkerStart: t + 1500,
      lastWorkerStart: t + 9000,
      lastWorkerEnd: t + 4000,
      reduceEnd: t + 5000,
      elapsedMs: 4000,
    });
    await store.remove(jobId);
  });

  it('retries a failing task within its budget, then fails the job', async () => {
    const jobId = newJobId();
    await store.create(jobId, spec);
    expect(await store.failTask(jobId, 3, 'boom 1', 2)).toEqual({ attempts: 1, failed: false, retry: true });
    expect(await store.failTask(jobId, 3, 'boom 2', 2)).toEqual({ attempts: 2, failed: false, retry: true });
    expect(await store.failTask(jobId, 3, 'boom 3', 2)).toEqual({ attempts: 3, failed: true, retry: false });
    expect(await store.failTask(jobId, 4, 'late', 2)).toEqual({ attempts: 1, failed: false, retry: false });
    const st = await store.status(jobId);
    expect(st).toMatchObject({ state: 'failed', error: 'boom 3' });
    // The dashboard's marks: each task's failed attempts, with the latest one's time and message.
    await store.startTask(jobId, 3, 1234, 'act-3');
    const marks = await store.taskMarks(jobId);
    expect([...marks.failures].map(([task, f]) => [task, f.attempts, f.message])).toEqual([
      [3, 3, 'boom 3'],
      [4, 1, 'late'],
    ]);
    expect(marks.failures.get(3)!.at).toBeGreaterThan(0);
    expect(marks.starts.get(3)).toBe(1234);
    expect(marks.startedBy.get(3)).toBe('act-3');
    // A failed job never completes, even if every task reports in afterwards.
    const done = await Promise.all(Array.from({ length: spec.total }, (_, i) => store.completeTask(jobId, i, '0')));
    expect(done.some((d) => d.completed)).toBe(false);
    expect(await store.finish(jobId, '1')).toBe('failed');
    await store.remove(jobId);
  });

  it('does not retry a task another attempt already finished', async () => {
    const jobId = newJobId();
    await store.create(jobId, spec);
    await store.completeTask(jobId, 5, '5');
    expect(await store.failTask(jobId, 5, 'dup failed', 0)).toMatchObject({ failed: false, retry: false });
    expect((await store.status(jobId))?.state).toBe('running');
    await store.remove(jobId);
  });

  it('writes nothing for an unknown job', async () => {
    const jobId = newJobId();
    await expect(store.startTask(jobId, 0)).rejects.toThrow(/unknown job/);
    await expect(store.completeTask(jobId, 0, '1')).rejects.toThrow(/unknown job/);
    await expect(store.failTask(jobId, 0, 'x', 1)).rejects.toThrow(/unknown job/);
    expect(await keysOf(jobId)).toEqual([]);
    expect(await store.status(jobId)).toBeUndefined();
  });

  it('fails fast and without secrets when Redis is unreachable', async () => {
    const url = 'redis://user:s3cret-pass@127.0.0.1:1';
    const err = await getRedis(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(String((err as Error).message)).not.toContain('s3cret-pass');
  });
});

describe('helpers', () => {
  it('redacts registered secrets and URL credentials', () => {
    addSecret('redis://:hunter2hunter2@example:6379');
    expect(redact('failed at redis://:hunter2hunter2@example:6379 with hunter2hunter2')).not.toContain('hunter2');
    expect(redact('https://a:b@host/x')).toBe('https://***@host/x');
  });

  it('splits ranges into at most fanout contiguous parts', () => {
    const parts = splitRange({ from: 10, to: 2010 }, 32, 64);
    expect(parts.length).toBe(32);
    expect(parts[0].from).toBe(10);
    expect(parts[parts.length - 1].to).toBe(2010);
    for (let i = 1; i < parts.length; i++) expect(parts[i].from).toBe(parts[i - 1].to);
    expect(splitRange({ from: 0, to: 64 }, 32, 64)).toEqual([{ from: 0, to: 64 }]);
    expect(toRanges([1, 2, 3, 7, 9, 10])).toEqual([{ from: 1, to: 4 }, { from: 7, to: 8 }, { from: 9, to: 11 }]);
  });
});
