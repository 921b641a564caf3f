// The library as a user's program drives it: one machine started by `Supercompute.local()`, jobs of built-in kernels,
// and plain functions mapped over inputs through the `map` kernel.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionError, JobFailedError, Supercompute, type JobStatus, type LocalSupercompute } from '../host/library/index.ts';
import { pi } from '../kernels/pi.ts';
import { redisUrlOnDb } from './helpers/pipeline-env.ts';

const DB = 15;
const POLL = { pollMs: 100 };

let sc: LocalSupercompute;
const dirs: string[] = [];

beforeAll(async () => {
  sc = await Supercompute.local({ redisUrl: redisUrlOnDb(DB).url });
});
afterAll(async () => {
  await sc?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('jobs of a kernel', () => {
  it('runs a job to its exact result, with progress while it waits, and plots it', async () => {
    const job = await sc.run<{ count: number; below: number }>('primes', { below: 1e6 }, { tasks: 4, workers: 2 });
    expect(job.id).toMatch(/\S/);
    expect(job.total).toBe(4);
    const seen: JobStatus[] = [];
    const end = await job.wait({ ...POLL, onProgress: (s) => void seen.push(s) });
    expect(end.state).toBe('done');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.jobId === job.id && s.total === 4)).toBe(true);
    expect(seen.at(-1)!.state).toBe('done');
    expect(await job.result()).toEqual({ count: 78_498, below: 1e6 });
    expect((await job.status()).state).toBe('done');

    const dir = mkdtempSync(join(tmpdir(), 'supercompute-plots-'));
    dirs.push(dir);
    const files = await job.plot(join(dir, 'plots'));
    expect(files).toEqual(['timeline', 'histogram', 'stream', 'activity'].map((plot) => join(dir, 'plots', `${job.id}-${plot}.svg`)));
    for (const file of files) expect(readFileSync(file, 'utf8')).toMatch(/^<svg/);
  });

  it('sizes a job as the CLI does when tasks and workers are not given', async () => {
    const params = { samples: 200_000, seed: 5 };
    const job = await sc.run('pi', params);
    expect(job.plan?.tasks).toBe(job.total);
    expect(job.plan?.why.length).toBeGreaterThan(0);
    expect(await job.result(POLL)).toEqual(pi.reference(pi.parse(params)));
  });

  it('cancels a running job; its result is then an error saying so', async () => {
    const job = await sc.run('sleep', { ms: 30_000 }, { tasks: 2, workers: 1 });
    expect(await job.cancel()).toBe('cancelled');
    expect((await job.status()).state).toBe('cancelled');
    const failure = await job.result(POLL).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(JobFailedError);
    expect((failure as JobFailedError).state).toBe('cancelled');
  });

  it('refuses a bad job before it starts', async () => {
    await expect(sc.run('primes', { below: -1 })).rejects.toThrow(ActionError);
    await expect(sc.run('primes', { below: -1 }, { tasks: 2, workers: 1 })).rejects.toThrow(/below/);
  });
});

describe('plain functions', () => {
  it('maps an inline arrow function over 1,000 inputs, results in input order', async () => {
    const inputs = Array.from({ length: 1000 }, (_, i) => i);
    const results = await sc.map((x: number) => ({ x, y: 3 * x + 1 }), inputs, POLL);
    expect(results).toEqual(inputs.map((x) => ({ x, y: 3 * x + 1 })));
  });

  it('reduces the mapped results where the job ends', async () => {
    const words = ['map', 'over', 'plain', 'functions', 'in', 'order'];
    const joined = await sc.mapReduce(
      async (w: string) => w.toUpperCase(),
      words,
      (upper) => upper.join(' '),
      { tasks: 3, ...POLL },
    );
    expect(joined).toBe('MAP OVER PLAIN FUNCTIONS IN ORDER');
  });

  it('starts a call and gives its result later', async () => {
    const call = await sc.callAsync(function reverse(s: string) {
      return s.split('').reverse().join('');
    }, 'stressed');
    expect(call.job.total).toBe(1);
    expect(await call.result(POLL)).toBe('desserts');
  });

  it('fails a function with a free variable, naming the variable and the task', async () => {
    const rate = 1.5;
    const failure = await sc.map((x: number) => x * rate, [1, 2, 3, 4], { tasks: 4, workers: 1, ...POLL }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(JobFailedError);
    expect((failure as Error).message).toMatch(
      /failed: task [0-3] failed: ReferenceError: rate is not defined — a function given to map must be self-contained \(no variables from outside it; use a kernel module for bigger code\)/,
    );
  });

  it('says when the inputs are more than one job takes, and refuses what has no source', async () => {
    const inputs = Array.from({ length: 3000 }, (_, i) => `${i}`.padEnd(100, '.'));
    const failure = await sc.map((s: string) => s.length, inputs).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ActionError);
    expect((failure as ActionError).statusCode).toBe(413);
    expect((failure as Error).message).toMatch(/3000 inputs are \d+ bytes as JSON, more than the deployment takes in one job .*262144 bytes.*split the inputs/);

    await expect(sc.map(Math.sqrt, [4])).rejects.toThrow(/the function given to map \(sqrt\) is a built-in or bound function/);
    await expect(sc.map(class {} as unknown as (x: number) => number, [4])).rejects.toThrow(/is a class/);
    await expect(sc.mapReduce((x: number) => x, [1], async (r) => r)).rejects.toThrow(/cannot be async/);
    expect(await sc.map((x: number) => x, [])).toEqual([]);
  });
});
