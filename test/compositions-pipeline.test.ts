// The pipeline's compositions (compositions/), deployed from manifest.yaml as `supercompute deploy` does, run
// through the real pipeline on the embedded platform with a real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openwhisk from 'openwhisk';
import { createClient } from 'redis';
import { startPlatform, type Platform } from '../platform/index.ts';
import { deployManifest } from '../host/deploy-manifest.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { type Activation, invokeBlocking } from './helpers/platform-client.ts';

const DB = 9;
const base = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
base.pathname = `/${DB}`;
const redisUrl = base.toString();

let platform: Platform;
let ow: any;
let redis: ReturnType<typeof createClient>;
let store: JobStore;

beforeAll(async () => {
  platform = await startPlatform({ port: 0 });
  ow = openwhisk({ apihost: platform.url, api_key: platform.auth });
  redis = createClient({ url: redisUrl });
  await redis.connect();
  store = new JobStore(redis as any);
  await deployManifest(ow, { params: { redisUrl } });
});
afterAll(async () => {
  await redis?.quit();
  await platform?.stop();
});

const PRIMES_1E6 = 78_498;

describe('compositions of the pipeline', () => {
  it('deploys them as conductor actions', async () => {
    for (const name of ['supercompute-flow', 'supercompute-wait', 'supercompute-map']) {
      const a = await ow.actions.get({ name });
      expect(a.annotations).toEqual(expect.arrayContaining([{ key: 'conductor', value: true }, { key: 'provide-api-key', value: true }]));
    }
  });

  it('supercompute-wait: starts a job through supercompute-flow and returns its result in one blocking invoke', async () => {
    const a = await invokeBlocking(ow, 'supercompute-wait', { kernel: 'primes', params: { below: 1e6 }, tasks: 8 });
    expect(a.response.status).toBe('success');
    expect(a.response.result).toMatchObject({ state: 'done', done: 8, total: 8, result: { count: PRIMES_1E6 } });
    expect(a.response.result).not.toHaveProperty('redisUrl');
    const flow = (await Promise.all(a.logs.map((id) => ow.activations.get({ name: id })))).find((c: Activation) => c.name === 'supercompute-flow');
    expect(flow.annotations).toEqual(expect.arrayContaining([{ key: 'conductor', value: true }, { key: 'topmost', value: false }]));
  });

  it('supercompute-flow: answers the running job at once', async () => {
    const a = await invokeBlocking(ow, 'supercompute-flow', { kernel: 'primes', params: { below: 1e5 }, tasks: 4 });
    expect(a.response.result).toMatchObject({ status: 'running', total: 4, jobId: expect.any(String) });
    const done = await invokeBlocking(ow, 'job-await', { jobId: a.response.result.jobId, waitMs: 30_000 });
    expect(done.response.result).toMatchObject({ state: 'done', result: { count: 9592 } });
  });

  it('a failure after the job exists lands in the try handler, which marks the job failed in Redis', async () => {
    const a = await invokeBlocking(ow, 'supercompute-flow', { kernel: 'primes', params: { below: -5 }, tasks: 4 });
    expect(a.response.status).toBe('application error');
    const error = a.response.result.error as string;
    expect(error).toMatch(/^job [A-Za-z0-9_-]{22} failed: invalid params for kernel 'primes'/);
    const jobId = error.split(' ')[1];
    const st = await store.status(jobId);
    expect(st).toMatchObject({ state: 'failed', error: expect.stringContaining("invalid params for kernel 'primes'") });
    const names = await Promise.all(a.logs.map(async (id) => (await ow.activations.get({ name: id })).name));
    expect(names).toContain('job-fail');
    expect(names).not.toContain('coordinate');
  });

  it('a request that never makes a job fails with a clear error', async () => {
    const a = await invokeBlocking(ow, 'supercompute-wait', { kernel: 'nope', tasks: 4 });
    expect(a.response).toMatchObject({ status: 'application error', result: { error: expect.stringContaining("unknown kernel 'nope'") } });
  });

  it('supercompute-map: a small job through composer’s map over work', async () => {
    const a = await invokeBlocking(ow, 'supercompute-map', { kernel: 'primes', params: { below: 1e6 }, tasks: 24 });
    expect(a.response.status).toBe('success');
    expect(a.response.result).toMatchObject({ state: 'done', done: 24, total: 24, result: { count: PRIMES_1E6 } });
    const tooBig = await invokeBlocking(ow, 'supercompute-map', { kernel: 'primes', params: { below: 1e6 }, tasks: 500 });
    expect(tooBig.response.result.error).toMatch(/at most 100 tasks/);
  });
});
