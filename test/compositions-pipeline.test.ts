// The pipeline's compositions (compositions/), deployed from manifest.yaml as `supercompute deploy` does, run
// through the real pipeline on the embedded platform with a real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openwhisk from 'openwhisk';
import { createClient } from 'redis';
import { startPlatform, type Platform } from '../platform/index.ts';
import { deployManifest } from '../host/manifest/deploy-pipeline.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { type Activation, invokeBlocking } from './helpers/platform-client.ts';
import { rememberKernelVersions, specOf } from './helpers/job-spec.ts';
import { defaultRetryBudget } from '../pipeline/job/spec.ts';

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
  rememberKernelVersions((await deployManifest(ow, { params: { redisUrl } })).kernels);
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
    expect(a.response.result).toMatchObject({ state: 'running', total: 4, jobId: expect.any(String) });
    const done = await invokeBlocking(ow, 'job-await', { jobId: a.response.result.jobId, waitMs: 30_000 });
    expect(done.response.result).toMatchObject({ state: 'done', result: { count: 9592 } });
  });

  it('makes the same spec as the supercompute action for the same request, and status shows its real retry budget', async () => {
    const request = { kernel: 'sleep', params: { ms: 0 }, tasks: 6 };
    const viaFlow = (await invokeBlocking(ow, 'supercompute-flow', request)).response.result.jobId as string;
    const viaAction = (await ow.actions.invoke({ name: 'supercompute', params: request, blocking: true, result: true })).jobId as string;
    const storedSpec = async (jobId: string) => {
      const { state, created, expiresAt, firstStart, lastStart, lastEnd, reduceEnd, lastDispatch, reinvokes, resentRanges, speculated, ...spec } = (await store.meta(jobId))!;
      return spec;
    };
    const spec = await storedSpec(viaAction);
    expect(await storedSpec(viaFlow)).toEqual(spec);
    expect(spec).toEqual(specOf('sleep', { ms: 0 }, 6));
    for (const jobId of [viaFlow, viaAction]) {
      const done = await invokeBlocking(ow, 'job-await', { jobId, waitMs: 30_000 });
      expect(done.response.result).toMatchObject({ state: 'done', retries: { budget: defaultRetryBudget(6) } });
    }
  });

  it('a request the kernel refuses makes no job: the try handler answers the reason', async () => {
    const jobIds = async () => [...new Set((await redis.keys('sc:job:*')).map((k) => k.split('}')[0]))].sort();
    const before = await jobIds();
    const a = await invokeBlocking(ow, 'supercompute-flow', { kernel: 'primes', params: { below: -5 }, tasks: 4 });
    expect(a.response.status).toBe('application error');
    expect(a.response.result.error).toMatch(/^invalid params for kernel 'primes'/);
    const names = await Promise.all(a.logs.map(async (id) => (await ow.activations.get({ name: id })).name));
    expect(names).toContain('job-fail');
    expect(names).not.toContain('split');
    expect(await jobIds()).toEqual(before);
  });

  it('the try handler marks a job that exists failed in Redis', async () => {
    const created = await invokeBlocking(ow, 'job-create', { kernel: 'sleep', params: { ms: 60_000 }, tasks: 2 });
    const jobId = created.response.result.jobId as string;
    const a = await invokeBlocking(ow, 'job-fail', { jobId, reason: 'split failed: no coordinator' });
    expect(a.response.result).toEqual({ error: `job ${jobId} failed: split failed: no coordinator` });
    expect(await store.status(jobId)).toMatchObject({ state: 'failed', error: 'split failed: no coordinator' });
  });

  it('a request that never makes a job fails with a clear error', async () => {
    const a = await invokeBlocking(ow, 'supercompute-wait', { kernel: 'nope', tasks: 4 });
    expect(a.response).toMatchObject({ status: 'application error', result: { error: expect.stringContaining("unknown kernel 'nope'") } });
  });

  it('supercompute-map: a small job through composer’s map over the kernel’s tasks action', async () => {
    const a = await invokeBlocking(ow, 'supercompute-map', { kernel: 'primes', params: { below: 1e6 }, tasks: 24 });
    expect(a.response.status).toBe('success');
    expect(a.response.result).toMatchObject({ state: 'done', done: 24, total: 24, result: { count: PRIMES_1E6 } });
    const tooBig = await invokeBlocking(ow, 'supercompute-map', { kernel: 'primes', params: { below: 1e6 }, tasks: 500 });
    expect(tooBig.response.result.error).toMatch(/at most 100 tasks/);
  });
});
