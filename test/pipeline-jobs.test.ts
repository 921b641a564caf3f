// Jobs through the whole pipeline: a wide fan-out, duplicated tasks, failing and retried tasks, the done trigger.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernels } from '../kernels/index.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { specOf } from './helpers/job-spec.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { newJobId } from '../pipeline/job/ids.ts';
import { JobClient } from '../host/jobs/client.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { activation } from './helpers/platform-client.ts';

let env: PipelineEnv;
let server: Server;
let textServer: string;
/** How many of the next requests for /flaky fail with HTTP 500; /broken always fails. */
let flakyFailures = 0;
let flakyRequests = 0;
const TEXT = 'one two two three three three '.repeat(500);

beforeAll(async () => {
  server = createServer((req, res) => {
    // A `url` is the job's input, listed by a HEAD when the job is created: only the reads fail.
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(TEXT) }).end();
      return;
    }
    if (req.url === '/flaky') flakyRequests++;
    if (req.url === '/broken' || (req.url === '/flaky' && flakyFailures-- > 0)) {
      res.writeHead(500).end('broken');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(TEXT);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  textServer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The text server is on loopback, which URL inputs may reach only when the deployment lists it.
  env = await startPipeline({ db: 11, params: { supercompute: { allowHosts: '127.0.0.1' } } });
});
afterAll(async () => {
  await env?.stop();
  await new Promise((r) => server?.close(r));
});

async function start(kernel: string, params: Record<string, unknown>, tasks: number): Promise<string> {
  const { status, body } = await env.submit({ kernel, params, tasks });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.jobId as string;
}

describe('pipeline jobs', () => {
  it('runs 2,000 trivial tasks, each counted once', async () => {
    const jobId = await start('sleep', { ms: 0 }, 2000);
    const done = await env.waitForJob(jobId);
    expect(done).toMatchObject({ state: 'done', done: 2000, total: 2000, result: { tasks: 2000, totalMs: 0 } });
    const k = jobKeys(jobId);
    expect(await env.redis.hLen(k.partials)).toBe(2000);
    expect(await env.redis.hLen(k.starts)).toBe(2000);
    expect(await env.redis.exists(k.attempts)).toBe(0);
    for (const key of [k.meta, k.partials, k.starts, k.result]) {
      expect(await env.redis.pTTL(key)).toBeGreaterThan(23 * 3600 * 1000);
    }
  });

  it('counts a task invoked twice once, and reduces through the done trigger and its rule', async () => {
    const store = new JobStore(env.redis);
    const jobId = newJobId();
    await store.create(jobId, specOf('sleep', { ms: 0 }, 2, { retries: 0 }));
    const work = (index: number) => env.ow.actions.invoke({ name: env.kernelAction.sleep!, params: { op: 'work', jobId, index }, blocking: true, result: true });
    const [a, b] = await Promise.all([work(0), work(0)]);
    expect([a.counted, b.counted].sort()).toEqual([false, true]);
    expect(await work(0)).toMatchObject({ counted: false, done: 1 });
    const last = await work(1);
    expect(last).toMatchObject({ counted: true, done: 2, total: 2 });
    expect(typeof last.doneActivation).toBe('string');

    const done = await env.waitForJob(jobId);
    expect(done).toMatchObject({ state: 'done', done: 2, result: { tasks: 2, totalMs: 0 } });

    // The trigger activation names the rule and the reduce activation it started.
    const fire = await env.ow.activations.get({ name: last.doneActivation });
    expect(fire.name).toBe('supercompute-done');
    const ruleLog = fire.logs.map((l: string) => JSON.parse(l)).find((l: any) => String(l.rule).endsWith('supercompute-done-reduce'));
    expect(ruleLog).toBeTruthy();
    // The job is done once reduce has written its result; the reduce activation's record follows its answer.
    const reduce = await activation(env.ow, ruleLog.activationId);
    expect(reduce.name).toBe('reduce');
    expect(reduce.response.result).toEqual({ jobId, state: 'done', reduced: true });

    // A second reduce changes nothing.
    const again = await env.ow.actions.invoke({ name: 'reduce', params: { jobId }, blocking: true, result: true });
    expect(again).toEqual({ jobId, state: 'done', reduced: false });
    expect((await env.waitForJob(jobId)).result).toEqual(done.result);
  });

  it('restarts a lost reduce: a status poll finds no supervisor and starts one, which restarts reduce', async () => {
    // Every task done long enough ago, but no trigger fired: as if the rule's activation had been refused.
    const store = new JobStore(env.redis);
    const jobId = newJobId();
    const past = Date.now() - 60_000;
    await store.create(jobId, specOf('sleep', { ms: 0 }, 3, { retries: 0 }), past);
    for (let i = 0; i < 3; i++) await store.completeTask(jobId, i, '{"slept":0}', past + i);
    const done = await env.waitForJob(jobId, { pollMs: 200 });
    expect(done).toMatchObject({ state: 'done', result: { tasks: 3, totalMs: 0 } });
  });

  it('fails a job whose task outlives the task timeout instead of waiting forever', async () => {
    // Deployment settings are final: a second entry action carries the short timeout.
    await env.ow.actions.create({
      name: 'supercompute-short',
      action: readFileSync('build/actions/supercompute.js', 'utf8'),
      kind: 'nodejs:20',
      params: { redisUrl: env.redisUrl, retries: 0, taskTimeoutMs: 1000 },
    });
    const r = await new JobClient(env.jobs.openwhisk, 'supercompute-short').submit({ kernel: 'sleep', params: { ms: 20_000 }, tasks: 2 });
    const failed = await env.waitForJob(r.jobId, { pollMs: 300 });
    expect(failed).toMatchObject({ state: 'failed', done: 0, total: 2 });
    expect(failed.error).toMatch(/^task [01] did not finish within 1000 ms$/);
  });

  it('fails the job with the error of a task that keeps crashing', async () => {
    // A server that reads no ranges: its URL is one task, read whole.
    const jobId = await start('wordcount', { url: `${textServer}/broken` }, 3);
    const failed = await env.waitForJob(jobId);
    expect(failed).toMatchObject({ jobId, state: 'failed', total: 1 });
    // The first line is the read's message, naming the URL; the top of its stack follows.
    expect(failed.error.split('\n')[0]).toMatch(/^task 0 failed: http:\/\/127\.0\.0\.1:\d+\/broken: could not fetch URL: it answered HTTP 500$/);
    expect(failed.result).toBeUndefined();
    expect(failed.timings.reduceEnd).toBeNull();
    // Retry budget 2: the failing task ran three times.
    const attempts = await env.redis.hGetAll(jobKeys(jobId).attempts);
    expect(Object.values(attempts)).toContain('3');
  });

  it('retries a task that fails once and still counts it once', async () => {
    flakyFailures = 1;
    const jobId = await start('wordcount', { url: `${textServer}/flaky`, top: 3 }, 4);
    const done = await env.waitForJob(jobId);
    expect(done).toMatchObject({ state: 'done', done: 1, total: 1 });
    expect(done.result).toEqual(await kernels.wordcount.reference!(kernels.wordcount.parse({ text: TEXT, top: 3 })));
    // The one task (the server reads no ranges) failed once, then read the text again.
    const attempts = Object.values(await env.redis.hGetAll(jobKeys(jobId).attempts)).map(Number);
    expect(attempts).toEqual([1]);
    expect(flakyRequests).toBeGreaterThanOrEqual(2);
  });

  it('shows neither the Redis password nor the API key in any activation record', async () => {
    const key = env.platform.auth.split(':')[1];
    let seen = 0;
    for (let skip = 0; ; skip += 200) {
      const page = await env.ow.activations.list({ limit: 200, skip, docs: true });
      for (const record of page) {
        const text = JSON.stringify(record);
        expect(text).not.toContain(env.redisPassword);
        expect(text).not.toContain(key);
      }
      seen += page.length;
      if (page.length < 200) break;
    }
    expect(seen).toBeGreaterThan(2000);
  });

  it('returns the result within the call when asked to wait', async () => {
    const r = await env.ow.actions.invoke({
      name: 'supercompute',
      params: { kernel: 'primes', params: { below: 1e6 }, tasks: 5, wait: 30_000 },
      blocking: true,
      result: true,
    });
    expect(r).toMatchObject({ state: 'done', done: 5, total: 5, result: { count: 78_498 } });
    expect(r.timings.reduceEnd).toBeGreaterThan(r.timings.jobStart);
  });

  it('answers a REST invoke without `wait` with the result (the `wsk ... --result` one-liner), else with where to follow the job', async () => {
    const r = await env.ow.actions.invoke({ name: 'supercompute', params: { kernel: 'primes', params: { below: 1e5 }, tasks: 2 }, blocking: true, result: true });
    expect(r).toMatchObject({ state: 'done', done: 2, total: 2, result: { count: 9592 } });
    const running = await env.ow.actions.invoke({ name: 'supercompute', params: { kernel: 'sleep', params: { ms: 3000 }, tasks: 1, wait: 1 }, blocking: true, result: true });
    expect(running).toMatchObject({ state: 'running', statusUrl: `/api/v1/web/guest/default/status.json?jobId=${running.jobId}` });
    await env.waitForJob(running.jobId);
  });
});
