// The entry action refuses bad jobs with a 4xx and a clear error, answers 503 when Redis is down, and in neither
// case leaves anything in Redis.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

let env: PipelineEnv;
const SECRET = 'pa55w0rd-not-for-logs';

beforeAll(async () => {
  env = await startPipeline({ db: 13 });
  // The entry action again, pointed at a Redis that does not answer, with a password in its URL.
  await env.ow.actions.create({
    name: 'supercompute-noredis',
    action: readFileSync('build/actions/supercompute.js', 'utf8'),
    kind: 'nodejs:20',
    params: { redisUrl: `redis://default:${SECRET}@127.0.0.1:1/0` },
    annotations: { 'web-export': true, final: true },
  });
});
afterAll(async () => {
  await env?.stop();
});

const bad: Array<[string, Record<string, unknown>, number, RegExp]> = [
  ['missing kernel', { params: { ms: 0 }, tasks: 2 }, 400, /missing parameter 'kernel'/],
  ['unknown kernel', { kernel: 'fft', params: {}, tasks: 2 }, 400, /unknown kernel 'fft' \(one of: .*primes.*\)/],
  ['params not JSON', { kernel: 'sleep', params: '{ms: 0', tasks: 2 }, 400, /'params' is not valid JSON/],
  ['params an array', { kernel: 'sleep', params: [1], tasks: 2 }, 400, /'params' must be a JSON object/],
  ['params out of range', { kernel: 'sleep', params: { ms: -1 }, tasks: 2 }, 400, /invalid params for kernel 'sleep': .*ms/],
  ['params missing a field', { kernel: 'primes', params: {}, tasks: 2 }, 400, /invalid params for kernel 'primes': .*below/],
  ['params with an unknown field', { kernel: 'sleep', params: { ms: 0, nap: 1 }, tasks: 2 }, 400, /invalid params for kernel 'sleep'/],
  ['workers negative', { kernel: 'sleep', params: { ms: 0 }, workers: -1 }, 400, /'workers' must be between 0 and 1000, got -1/],
  ['tasks zero', { kernel: 'sleep', params: { ms: 0 }, tasks: 0 }, 400, /'tasks' must be between 1 and 100000, got 0/],
  ['tasks above the maximum', { kernel: 'sleep', params: { ms: 0 }, tasks: 100_001 }, 400, /'tasks' must be between 1 and 100000/],
  ['tasks not an integer', { kernel: 'sleep', params: { ms: 0 }, tasks: 2.5 }, 400, /'tasks' must be an integer/],
  ['more tasks than the kernel can split into', { kernel: 'mandelbrot', params: { width: 8, height: 4 }, tasks: 5 }, 400, /cannot split kernel 'mandelbrot' into 5 tasks/],
  ['params over the size limit', { kernel: 'wordcount', params: { text: 'x '.repeat(200_000) }, tasks: 2 }, 413, /'params' is larger than 262144 bytes/],
  ['tasks negative', { kernel: 'sleep', params: { ms: 0 }, tasks: -3 }, 400, /'tasks' must be between 1 and 100000, got -3/],
  ['tasks huge', { kernel: 'sleep', params: { ms: 0 }, tasks: 1e300 }, 400, /'tasks' must be between 1 and 100000/],
  ['tasks a word', { kernel: 'sleep', params: { ms: 0 }, tasks: 'many' }, 400, /'tasks' must be an integer/],
  ['tasks an object', { kernel: 'sleep', params: { ms: 0 }, tasks: { n: 2 } }, 400, /'tasks' must be an integer/],
  ['kernel not a string', { kernel: 7, params: {}, tasks: 2 }, 400, /missing parameter 'kernel'/],
  ['kernel with illegal characters', { kernel: '../primes;rm', params: {}, tasks: 2 }, 400, /unknown kernel/],
  ['params with a huge number', { kernel: 'primes', params: { below: 1e300 }, tasks: 2 }, 400, /invalid params for kernel 'primes': .*below/],
  ['params with a wrong type', { kernel: 'primes', params: { below: [1] }, tasks: 2 }, 400, /invalid params for kernel 'primes': .*below/],
  ['wait negative', { kernel: 'sleep', params: { ms: 0 }, tasks: 1, wait: -1 }, 400, /'wait' must be an integer number of milliseconds >= 0/],
  ['cancel not an id', { cancel: { jobId: 'x' } }, 400, /'cancel' must be a job id/],
  ['tasks true', { kernel: 'sleep', params: { ms: 0 }, tasks: true }, 400, /'tasks' must be an integer, got true/],
  ['tasks in an array', { kernel: 'sleep', params: { ms: 0 }, tasks: [5] }, 400, /'tasks' must be an integer, got an array/],
  ['tasks in hexadecimal', { kernel: 'sleep', params: { ms: 0 }, tasks: '0x10' }, 400, /'tasks' must be an integer, got "0x10"/],
  ['tasks in exponent notation', { kernel: 'sleep', params: { ms: 0 }, tasks: '1e1' }, 400, /'tasks' must be an integer, got "1e1"/],
  ['workers true', { kernel: 'sleep', params: { ms: 0 }, tasks: 2, workers: true }, 400, /'workers' must be an integer, got true/],
  ['workers in an array', { kernel: 'sleep', params: { ms: 0 }, tasks: 2, workers: [1] }, 400, /'workers' must be an integer, got an array/],
  ['params with __proto__', { kernel: 'pi', params: '{"__proto__": {"samples": 5}}', tasks: 2 }, 400, /^invalid params for kernel 'pi': pi: unknown field "__proto__" \(allowed: samples, seed\)$/],
  ['params nested too deeply to measure', { kernel: 'sleep', params: `{"ms": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, tasks: 1 }, 400, /'params' is nested too deeply/],
  ['wait true', { kernel: 'sleep', params: { ms: 0 }, tasks: 1, wait: true }, 400, /'wait' must be an integer number of milliseconds >= 0/],
  ['map with an async reduceSource', { kernel: 'map', params: { source: 'x => x', inputs: [1, 2], reduceSource: 'async (r) => r' }, tasks: 2 }, 400, /invalid params for kernel 'map': map: field "reduceSource" is an async function/],
  ['wordcount with both text and url', { kernel: 'wordcount', params: { text: 'a b', url: 'http://localhost:1/never-fetched' }, tasks: 2 }, 400, /^wordcount: give exactly one of the fields "text" and "url"/],
  ['wait fractional', { kernel: 'sleep', params: { ms: 0 }, tasks: 1, wait: 1.5 }, 400, /'wait' must be an integer number of milliseconds >= 0/],
];

describe('pipeline input', () => {
  it('refuses a malformed JSON body, an oversized one and a too deeply nested one before the action runs, leaving nothing', async () => {
    const before = await env.jobIds();
    const post = (body: string) =>
      fetch(`${env.web}/supercompute.json`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: env.authorization }, body });
    const malformed = await post('{"kernel": "sleep", "tasks": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/not valid JSON|malformed/i);
    const huge = await post(JSON.stringify({ kernel: 'wordcount', params: { text: 'x'.repeat(2 * 1024 * 1024) }, tasks: 2 }));
    expect(huge.status).toBe(413);
    // Within the size limit but nested past the platform's bound: refused before anything walks it.
    const deep = await post(`{"kernel": "sleep", "tasks": 1, "params": {"ms": ${'['.repeat(10_000)}0${']'.repeat(10_000)}}}`);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: string }).error).toMatch(/nested more than \d+ levels deep/);
    expect(await env.jobIds()).toEqual(before);
  });

  it('refuses a count too large for a number (1e999999), rather than taking it as not given', async () => {
    const before = await env.jobIds();
    for (const [field, text] of [['tasks', '1e999999'], ['workers', '-1e999999'], ['wait', '1e999999']]) {
      const res = await fetch(`${env.web}/supercompute.http`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: env.authorization },
        body: `{"kernel": "sleep", "params": {"ms": 0}${field === 'tasks' ? '' : ', "tasks": 2'}, "${field}": ${text}}`,
      });
      const body = (await res.json()) as { error: string };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.error).toMatch(new RegExp(`^'${field}' must be`));
      if (field !== 'wait') expect(body.error).toBe(`'${field}' must be an integer, got a number too large to represent`);
    }
    // Through the REST API too.
    const rest = await fetch(`${env.platform.url}/api/v1/namespaces/_/actions/supercompute?blocking=true&result=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: env.authorization },
      body: '{"kernel": "sleep", "params": {"ms": 0}, "tasks": 1e999999}',
    });
    expect(await rest.json()).toMatchObject({ statusCode: 400, error: "'tasks' must be an integer, got a number too large to represent" });
    expect(await env.jobIds()).toEqual(before);
  });

  it.each(bad)('refuses %s', async (_what, body, status, error) => {
    const before = await env.jobIds();
    const res = await env.submit(body);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(error);
    // `.json` answers 200 whatever happened (OpenWhisk's rule), the action's HTTP response as the body.
    const json = await env.submit(body, { ext: 'json' });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ statusCode: status, body: { error: expect.stringMatching(error) } });
    expect(await env.jobIds()).toEqual(before);
  });

  it('refuses a web caller overriding a deployment setting', async () => {
    const before = await env.jobIds();
    const res = await env.submit({ kernel: 'sleep', params: { ms: 0 }, tasks: 1, maxTasks: 1e9, redisUrl: 'redis://elsewhere:6379' }, { ext: 'http' });
    expect(res.status).toBe(400);
    expect(await env.jobIds()).toEqual(before);
  });

  it('answers a plain invoke of a bad job with an application error carrying the status code', async () => {
    const err = await env.ow.actions
      .invoke({ name: 'supercompute', params: { kernel: 'sleep', params: { ms: 0 }, tasks: 0 }, blocking: true, result: true })
      .catch((e: any) => e);
    expect(err.statusCode).toBe(502);
    expect(err.error.response.result).toEqual({ statusCode: 400, error: "'tasks' must be between 1 and 100000, got 0" });
    // A REST invoke's JSON keeps its types: a boolean or an array is no count, whatever Number() would make of it.
    const before = await env.jobIds();
    for (const [tasks, shown] of [[true, 'true'], [[5], 'an array'], ['0x10', '"0x10"']] as const) {
      const refused = await env.ow.actions
        .invoke({ name: 'supercompute', params: { kernel: 'sleep', params: { ms: 0 }, tasks }, blocking: true, result: true })
        .catch((e: any) => e);
      expect(refused.error.response.result).toEqual({ statusCode: 400, error: `'tasks' must be an integer, got ${shown}` });
    }
    expect(await env.jobIds()).toEqual(before);
  });

  it('answers 503 without secrets and writes nothing when Redis is unreachable', async () => {
    const before = await env.jobIds();
    const res = await env.submit({ kernel: 'sleep', params: { ms: 0 }, tasks: 2 }, { ext: 'http', action: 'supercompute-noredis' });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/^Redis is unreachable: /);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const activation = await env.ow.activations.get({ name: (await env.ow.activations.list({ name: 'supercompute-noredis', limit: 1 }))[0].activationId });
    expect(JSON.stringify(activation)).not.toContain(SECRET);
    expect(await env.jobIds()).toEqual(before);
  });

  it('answers 502 and takes the job back out when split cannot be started', async () => {
    // In a package with no `split` beside it, the entry action's invoke of split answers 404.
    await env.ow.packages.create({ name: 'lonely' });
    await env.ow.actions.create({
      name: 'lonely/supercompute',
      action: readFileSync('build/actions/supercompute.js', 'utf8'),
      kind: 'nodejs:20',
      params: { redisUrl: env.redisUrl },
      annotations: { 'web-export': true, final: true },
    });
    const before = await env.jobIds();
    const res = await fetch(`${env.platform.url}/api/v1/web/guest/lonely/supercompute.http`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: env.authorization },
      body: JSON.stringify({ kernel: 'sleep', params: { ms: 0 }, tasks: 2 }),
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toMatch(/^could not start the job: invoke lonely\/split: .*404/);
    expect(await env.jobIds()).toEqual(before);
  });

  it("takes the deployment's task ceiling, not a kernel's: 150,000 sleep tasks under maxTasks 200000", async () => {
    // Kernels state only bounds of their own; the deployment's `maxTasks` (here raised on the entry action) is the one ceiling.
    await env.ow.actions.create({
      name: 'supercompute-wide',
      action: readFileSync('build/actions/supercompute.js', 'utf8'),
      kind: 'nodejs:20',
      params: { redisUrl: env.redisUrl, maxTasks: 200_000 },
      annotations: { 'web-export': true, final: true },
    });
    const res = await env.submit({ kernel: 'sleep', params: { ms: 0 }, tasks: 150_000, workers: 2 }, { ext: 'http', action: 'supercompute-wide' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ state: 'running', total: 150_000, mode: 'pull', workers: 2 });
    const cancelled = await env.submit({ cancel: res.body.jobId }, { ext: 'http', action: 'supercompute-wide' });
    expect(cancelled.body).toEqual({ jobId: res.body.jobId, state: 'cancelled' });
  });

  it('accepts a good job given as strings, the way query parameters arrive', async () => {
    const json = await env.submit({ kernel: 'sleep', params: '{"ms": 0}', tasks: '2' });
    expect(json.body).toMatchObject({ state: 'running', total: 2 });
    expect((await env.waitForJob(json.body.jobId)).state).toBe('done');
  });
});
