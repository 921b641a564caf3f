// Each kernel run through the whole pipeline on the embedded platform equals its serial reference; the status web
// action answers in JSON and, for images, PNG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { kernels } from '../kernels/index.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: 11 });
});
afterAll(async () => {
  await env?.stop();
});

async function run(kernel: string, params: Record<string, unknown>, tasks: number): Promise<Record<string, any>> {
  const { status, body } = await env.submit({ kernel, params, tasks });
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body).toMatchObject({ state: 'running', total: tasks });
  const done = await env.waitForJob(body.jobId);
  expect(done, JSON.stringify(done).slice(0, 500)).toMatchObject({ jobId: body.jobId, state: 'done', done: tasks, total: tasks });
  return done;
}

function pixels(base64: string): { width: number; height: number; data: Buffer } {
  const png = PNG.sync.read(Buffer.from(base64, 'base64'));
  return { width: png.width, height: png.height, data: png.data };
}

describe('pipeline kernels', () => {
  it('pi equals its seeded serial value', async () => {
    const params = { samples: 3_000_000, seed: 7 };
    const done = await run('pi', params, 9);
    expect(done.result).toEqual(await kernels.pi.reference!(kernels.pi.parse(params)));
  });

  it('primes below 1e8 counts 5,761,455', async () => {
    const done = await run('primes', { below: 1e8 }, 16);
    expect(done.result).toMatchObject({ count: 5_761_455 });
  });

  it('wordcount counts exactly', async () => {
    const words = ['alpha', 'beta', 'Gamma', "don't", 'l’eau', 'ζωή', 'delta42'];
    let text = '';
    for (let i = 0; i < 20_000; i++) text += words[(i * 7 + (i >> 3)) % words.length] + (i % 13 === 0 ? '.\n' : ' ');
    const params = { text, top: 5 };
    const done = await run('wordcount', params, 11);
    expect(done.result).toEqual(await kernels.wordcount.reference!(kernels.wordcount.parse(params)));
  });

  it('mandelbrot is pixel-identical, and the status web action serves it as PNG', async () => {
    const params = { width: 320, height: 200, maxIter: 200 };
    const done = await run('mandelbrot', params, 13);
    const reference = (await kernels.mandelbrot.reference!(kernels.mandelbrot.parse(params))) as { png: string };
    const expected = pixels(reference.png);
    expect(pixels(done.result.png)).toEqual(expected);
    expect(done.timings.reduceEnd).toBeGreaterThanOrEqual(done.timings.lastWorkerEnd);

    const http = await fetch(`${env.web}/status.http?jobId=${done.jobId}&format=png`);
    expect(http.status).toBe(200);
    expect(http.headers.get('content-type')).toBe('image/png');
    expect(pixels(Buffer.from(await http.arrayBuffer()).toString('base64'))).toEqual(expected);
  });

  it('answers the status of a job as JSON, and 404 for unknown ids', async () => {
    const { body } = await env.submit({ kernel: 'sleep', params: { ms: 0 }, tasks: 3 });
    const done = await env.waitForJob(body.jobId);
    expect(Object.keys(done).sort()).toEqual(['done', 'doneTasks', 'jobId', 'kernel', 'result', 'retries', 'state', 'timings', 'total']);
    expect(Buffer.from(done.doneTasks, 'base64')).toEqual(Buffer.from([0b11100000]));
    const t = done.timings;
    expect(t.jobStart).toBeLessThanOrEqual(t.firstWorkerStart);
    expect(t.firstWorkerStart).toBeLessThanOrEqual(t.lastWorkerStart);
    expect(t.lastWorkerStart).toBeLessThanOrEqual(t.lastWorkerEnd);
    expect(t.lastWorkerEnd).toBeLessThanOrEqual(t.reduceEnd);
    expect(t.elapsedMs).toBe(t.reduceEnd - t.jobStart);

    // `.http` (what the dashboard polls): the status as the body of a 200, an error with its own status code.
    const http = await fetch(`${env.web}/status.http?jobId=${body.jobId}`);
    expect(http.status).toBe(200);
    expect(await http.json()).toMatchObject({ jobId: body.jobId, state: 'done', done: 3, total: 3 });
    // `.json` answers 200 whatever happened (OpenWhisk's rule), the whole HTTP response as the body.
    const json = await fetch(`${env.web}/status.json?jobId=AAAAAAAAAAAAAAAAAAAAAA`);
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ statusCode: 404, body: { error: 'unknown job AAAAAAAAAAAAAAAAAAAAAA' } });
    const unknown = await fetch(`${env.web}/status.http?jobId=AAAAAAAAAAAAAAAAAAAAAA`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'unknown job AAAAAAAAAAAAAAAAAAAAAA' });
    const malformed = await fetch(`${env.web}/status.http?jobId=${encodeURIComponent('sc:job:*')}`);
    expect(malformed.status).toBe(404);
    // A sleep job has no image.
    const png = await fetch(`${env.web}/status.http?jobId=${done.jobId}&format=png`);
    expect(png.status).toBe(415);
  });
});
