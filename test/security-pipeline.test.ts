// The deployed pipeline's doors: submitting and cancelling need the namespace's key (the entry web action is
// `require-whisk-auth: true`), the read-only views stay public by job id, and a job's URL input cannot read this
// machine or its network (the platform's own API included) unless the deployment's `allowHosts` says so.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newJobId } from '../pipeline/job/ids.ts';
import { NON_PUBLIC_ADDRESS } from '../pipeline/data/guarded-fetch.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { closeAll, getRedis } from '../pipeline/store/redis.ts';
import { specOf } from './helpers/job-spec.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 1;

let env: PipelineEnv;
let store: JobStore;
const textServer = createServer((_req, res) => res.end('alpha beta beta gamma gamma gamma'));
let textPort: number;

beforeAll(async () => {
  // The text server stands for an internal host this deployment means to read from: it lists it by name.
  env = await startPipeline({ db: DB, params: { supercompute: { allowHosts: 'localhost', retries: 0 } } });
  store = new JobStore(await getRedis(env.redisUrl), 3600);
  await new Promise<void>((resolve) => textServer.listen(0, '127.0.0.1', resolve));
  textPort = (textServer.address() as AddressInfo).port;
});
afterAll(async () => {
  textServer.close();
  await closeAll();
  await env?.stop();
});

/** A running job written straight into the store: nothing dispatches its tasks, so only a cancel ends it. */
async function heldJob(): Promise<string> {
  const jobId = newJobId();
  expect(await store.create(jobId, specOf('sleep', { ms: 0 }, 2))).toBe(true);
  return jobId;
}

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('who may submit and cancel', () => {
  it('the entry web action answers 401 without the namespace key, and starts nothing', async () => {
    const before = await env.jobIds();
    const job = { kernel: 'sleep', params: { ms: 0 }, tasks: 100_000 };
    expect((await env.submit(job, { auth: false })).status).toBe(401);
    expect((await env.submit(job, { auth: false, ext: 'http' })).status).toBe(401);
    const wrong: Array<Record<string, string>> = [{ authorization: basic(`${env.platform.auth}x`) }, { authorization: basic('guest:guest') }, { 'x-require-whisk-auth': env.platform.auth }];
    for (const headers of wrong) {
      const res = await fetch(`${env.web}/supercompute.json`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(job) });
      expect(res.status, JSON.stringify(headers)).toBe(401);
    }
    expect(await env.jobIds()).toEqual(before);

    const ok = await env.submit({ kernel: 'sleep', params: { ms: 0 }, tasks: 2 });
    expect(ok.status).toBe(200);
    expect((await env.waitForJob(ok.body.jobId)).state).toBe('done');
  });

  it('cancelling over the web needs the key; the status and dashboard stay public, read-only', async () => {
    const jobId = await heldJob();
    const anonymous = await fetch(`${env.web}/supercompute.http?cancel=${jobId}`);
    expect(anonymous.status).toBe(401);
    const status = await fetch(`${env.web}/status.http?jobId=${jobId}`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ jobId, state: 'running' });
    expect((await fetch(`${env.web}/dashboard.html?jobId=${jobId}`)).status).toBe(200);

    const cancelled = await fetch(`${env.web}/supercompute.http?cancel=${jobId}`, { headers: { authorization: env.authorization } });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toEqual({ jobId, state: 'cancelled' });
    // The job client cancels through the REST API with the key, as the CLI does.
    await expect(env.jobs.cancel(await heldJob())).resolves.toMatchObject({ state: 'cancelled' });
  });
});

describe('the dashboard', () => {
  it("takes nothing from the request's Host header: the status URL it polls is relative to the page", async () => {
    const jobId = await heldJob();
    const url = new URL(`${env.web}/dashboard.html?jobId=${jobId}`);
    const html = await new Promise<string>((resolve, reject) => {
      const req = request(url, { headers: { host: 'evil.example', 'x-forwarded-proto': 'https' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      req.on('error', reject);
      req.end();
    });
    expect(html).toContain(`status.http?jobId=${jobId}`);
    expect(html).not.toContain('evil.example');
    await env.jobs.cancel(jobId);
  });
});

describe("another namespace's key", () => {
  // The platform's whisk.system key: a valid key, of a namespace that does not own the pipeline.
  const foreignAuth = () => basic(env.platform.systemAuth);
  const whatFailed = (status: number, body: unknown) => `${status} ${JSON.stringify(body)}`;

  it('gets 403 on every door of supercompute, web and REST, and starts or cancels nothing', async () => {
    const held = await heldJob();
    const before = await env.jobIds();
    const job = JSON.stringify({ kernel: 'pi', params: { samples: 1000 }, tasks: 2 });
    const web = (path: string, init: RequestInit = {}) =>
      fetch(`${env.web}/${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: foreignAuth(), ...init.headers } });

    // The web door: the platform admits any valid key (require-whisk-auth: true, as OpenWhisk); the action refuses a
    // key of another namespace.
    for (const path of ['supercompute.http', 'supercompute', `supercompute.http?cancel=${held}`]) {
      const res = await web(path, { method: path.includes('cancel') ? 'GET' : 'POST', body: path.includes('cancel') ? undefined : job });
      const body = (await res.json()) as { error?: string };
      expect(res.status, whatFailed(res.status, body)).toBe(403);
      expect(body.error).toBe("a key of namespace 'whisk.system' may not submit or cancel jobs of namespace 'guest'");
    }
    const json = await web('supercompute.json', { method: 'POST', body: job });
    expect(await json.json()).toMatchObject({ statusCode: 403 });

    // The REST doors: the entry action, its compositions, and cancelling.
    for (const name of ['supercompute', 'supercompute-flow', 'supercompute-wait', 'supercompute-map', 'job-create']) {
      const res = await fetch(`${env.platform.url}/api/v1/namespaces/guest/actions/${name}?blocking=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: foreignAuth() },
        body: JSON.stringify({ kernel: 'pi', params: { samples: 1000 }, tasks: 2, cancel: name === 'supercompute' ? held : undefined }),
      });
      expect(res.status, name).toBe(403);
    }
    expect(await env.jobIds()).toEqual(before);
    expect(await store.state(held)).toBe('running');
  });

  it("cannot reach the pipeline through a rule on its trigger, a sequence or a binding of its own", async () => {
    const system = (method: string, path: string, body: unknown) =>
      fetch(`${env.platform.url}/api/v1/namespaces/_/${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: foreignAuth() },
        body: JSON.stringify(body),
      });
    // The attack: a public package of the other namespace whose action a rule on the pipeline's trigger
    // would run with the namespace's key.
    expect((await system('PUT', 'packages/lure?overwrite=true', { publish: true })).status).toBe(200);
    const code = 'function main() { return { key: process.env.__OW_API_KEY }; }';
    expect((await system('PUT', 'actions/lure/x?overwrite=true', { exec: { kind: 'nodejs:20', code } })).status).toBe(200);
    expect((await system('PUT', 'rules/steal', { trigger: '/guest/supercompute-done', action: '/whisk.system/lure/x' })).status).toBe(403);
    expect((await system('GET', 'rules/steal', undefined)).status).toBe(404);
    // The rule the pipeline deployed is still the only one on its trigger.
    const trigger = (await env.ow.triggers.get({ name: 'supercompute-done' })) as { rules?: Record<string, unknown> };
    expect(Object.keys(trigger.rules ?? {})).toEqual(['guest/supercompute-done-reduce']);
    // A sequence of the pipeline's entry action, and a binding of its kernels' package.
    expect((await system('PUT', 'actions/wrapped', { exec: { kind: 'sequence', components: ['/guest/supercompute'] } })).status).toBe(403);
    expect((await system('PUT', 'packages/kernels', { binding: { namespace: 'guest', name: 'supercompute-kernels' } })).status).toBe(403);
  });
});

describe('URL inputs', () => {
  it("cannot read the platform's own API or anything on loopback", async () => {
    const api = `${env.platform.url}/api/v1`;
    expect((await fetch(api)).ok).toBe(true);
    for (const url of [api, `http://2130706433:${new URL(api).port}/api/v1`, `http://[::ffff:127.0.0.1]:${textPort}/`, `http://127.0.0.1:${textPort}/`]) {
      // `url` is the job's input: listed through the URL guard when the job is created, so refused before it exists.
      const { status, body } = await env.submit({ kernel: 'wordcount', params: { url }, tasks: 2 });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(body.jobId).toBeUndefined();
      expect(body.error).toContain(NON_PUBLIC_ADDRESS);
      expect(JSON.stringify(body)).not.toMatch(/api_paths|namespaces|gamma/);
    }
  });

  it("reads a host the deployment's allowHosts input lists", async () => {
    const { body } = await env.submit({ kernel: 'wordcount', params: { url: `http://localhost:${textPort}/`, top: 2 }, tasks: 3 });
    const done = await env.waitForJob(body.jobId);
    expect(done, JSON.stringify(done).slice(0, 300)).toMatchObject({ state: 'done', result: { top: [['gamma', 3], ['beta', 2]], totalWords: 6 } });
  });
});
