// The examples as a user runs them: each kernel module deployed through the library's client (the same path as
// `supercompute kernel deploy`), run on the embedded platform, and checked against its serial reference; the test's
// own kernel gives through the library the same exact result the other doors give (kernels-user.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Supercompute } from '../host/library/index.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import squares from './fixtures/kernels/squares.ts';
import { defineKernel } from '../kernels/define.ts';

// Keys are per job and nothing here scans or flushes, so the database is shared with kernels-user.test.ts.
const DB = 11;
let env: PipelineEnv;
let sc: Supercompute;

beforeAll(async () => {
  env = await startPipeline({ db: DB });
  sc = new Supercompute({ apihost: env.platform.url, auth: env.platform.auth });
});
afterAll(async () => {
  await env?.stop();
});

describe('the examples, deployed and run through the library', () => {
  it('counts the 365,596 solutions of 14 queens', async () => {
    const deployed = await sc.deployKernel('examples/nqueens/kernel.ts');
    expect(deployed).toMatchObject({ name: 'nqueens' });
    const job = await sc.run('nqueens', { n: 14 }, { tasks: 16, workers: 2 });
    expect(await job.result()).toEqual({ n: 14, solutions: 365_596, subtrees: 1364 });
  });

  it('prices a European call within its standard error of Black–Scholes', async () => {
    await sc.deployKernel('examples/option-pricing/kernel.ts');
    const job = await sc.run<{ price: number; standardError: number; blackScholes: number; paths: number }>('option-pricing', { paths: 400_000, seed: 3 }, { tasks: 8, workers: 2 });
    const r = await job.result();
    expect(r.paths).toBe(400_000);
    expect(r.blackScholes).toBeCloseTo(10.4506, 4);
    expect(Math.abs(r.price - r.blackScholes)).toBeLessThan(4 * r.standardError);
  });

  it("gives the test kernel's exact result through the library too", async () => {
    await sc.deployKernel('test/fixtures/kernels/squares.ts');
    const params = { n: 1000 };
    const job = await sc.run('squares', params, { tasks: 4, workers: 0 });
    expect(await job.result()).toEqual(squares.reference!(squares.parse(params)));
    expect((await sc.listKernels()).map((k) => k.name)).toEqual(expect.arrayContaining(['nqueens', 'option-pricing', 'squares', 'primes']));
  });

  it('deploys a kernel object given inline, each method sent by its source', async () => {
    const cubes = defineKernel<{ n: number }, number, number>({
      name: 'cubes',
      description: 'the sum of i³ for i below n',
      params: { n: 'the bound (required)' },
      parse(raw) {
        return { n: Number(raw.n) };
      },
      split: (_p, tasks) => tasks,
      work(p, t) {
        let sum = 0;
        for (let i = Math.floor((p.n * t.index) / t.count); i < Math.floor((p.n * (t.index + 1)) / t.count); i++) sum += i * i * i;
        return sum;
      },
      reduce: (_p, partials) => partials.reduce((a, b) => a + b, 0),
    });
    expect(await sc.deployKernel(cubes)).toMatchObject({ name: 'cubes' });
    const job = await sc.run('cubes', { n: 1000 }, { tasks: 4, workers: 0 });
    expect(await job.result()).toBe(499_500 ** 2);
  });
});
