import { describe, expect, it } from 'vitest';
import { getKernel, kernels } from '../kernels/index.ts';
import { sleep } from '../kernels/sleep.ts';
import { KernelInputError } from '../kernels/types.ts';
import { runJob } from './kernels-helpers.ts';

describe('kernel registry', () => {
  it('lists every kernel and rejects unknown names', () => {
    expect(Object.keys(kernels).sort()).toEqual(['mandelbrot', 'map', 'pi', 'primes', 'sleep', 'sql', 'wordcount']);
    for (const [name, k] of Object.entries(kernels)) {
      expect(getKernel(name)).toBe(k);
      expect(k.name).toBe(name);
      expect(() => k.parse(null as unknown as Record<string, unknown>)).toThrow(KernelInputError);
      expect(() => k.parse([] as unknown as Record<string, unknown>)).toThrow(KernelInputError);
    }
    expect(() => getKernel('nope')).toThrow(KernelInputError);
    expect(() => getKernel('nope')).toThrow(/pi, primes, mandelbrot, wordcount, sleep, map, sql/);
    expect(() => getKernel('toString')).toThrow(KernelInputError);
  });
});

describe('sleep kernel', () => {
  it('waits on a timer and sums', async () => {
    const started = Date.now();
    const params = sleep.parse({ ms: 50 });
    const parts = await Promise.all([0, 1, 2, 3].map((index) => sleep.work(params, { index, count: 4 })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sleep.reduce(params, parts)).toEqual({ tasks: 4, totalMs: 200 });
    expect(await sleep.reference(params, undefined, 2)).toEqual({ tasks: 2, totalMs: 100 });
  });

  it('runs thousands of trivial tasks', async () => {
    expect(await runJob(sleep, { ms: 0 }, 5000)).toEqual({ tasks: 5000, totalMs: 0 });
  });

  it('lets one task wait longer than the others (a straggler)', async () => {
    const params = sleep.parse({ ms: 0, slowTask: 2, slowMs: 30 });
    expect(await Promise.all([0, 1, 2, 3].map((index) => sleep.work(params, { index, count: 4 })))).toEqual([{ slept: 0 }, { slept: 0 }, { slept: 30 }, { slept: 0 }]);
    expect(await runJob(sleep, { ms: 0, slowTask: 2, slowMs: 30 }, 4)).toEqual(await sleep.reference(params, undefined, 4));
  });

  it('rejects bad params', () => {
    for (const bad of [{}, { ms: -1 }, { ms: 60_001 }, { ms: 1.5 }, { ms: 'x' }, { ms: NaN }, { ms: 1, n: 2 }, { ms: 1, slowMs: 5 }, { ms: 1, slowTask: -1, slowMs: 5 }, { ms: 1, slowTask: 0 }]) {
      expect(() => sleep.parse(bad as Record<string, unknown>), JSON.stringify(bad)).toThrow(KernelInputError);
    }
    expect(() => sleep.parse({ ms: -1 })).toThrow(/ms/);
  });
});
