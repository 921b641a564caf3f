import { describe, expect, it } from 'vitest';
import { primes, primesTaskRange } from '../kernels/primes.ts';
import { countPrimesInRange, naiveCountPrimesBelow, smallPrimes } from '../kernels/sieve.ts';
import { KernelInputError } from '../kernels/types.ts';
import { runJob } from './kernels-helpers.ts';

describe('primes kernel', () => {
  it('counts the known values', () => {
    expect(primes.reference(primes.parse({ below: 1e6 }))).toEqual({ count: 78498, below: 1e6 });
    expect(primes.reference(primes.parse({ below: '1e8' }))).toEqual({ count: 5_761_455, below: 1e8 });
  });

  it.each([1, 2, 7, 64, 1000])('splits below 1e8 into %i tasks', async (tasks) => {
    expect(await runJob(primes, { below: 1e8 }, tasks, tasks)).toEqual({ count: 5_761_455, below: 1e8 });
  });

  it('counts below 1e9 in 3 tasks', async () => {
    expect(await runJob(primes, { below: 1e9 }, 3)).toEqual({ count: 50_847_534, below: 1e9 });
  });

  it('agrees with the naive sieve for small N and many task counts', async () => {
    const naive = new Map<number, number>();
    const ns = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 19, 20, 23, 24, 29, 30, 31, 32, 59, 60, 61, 97, 120, 121, 529, 530, 841, 842, 961, 1000, 4096, 30030, 65537, 99_991, 123_457, 1_000_003];
    for (const n of ns) naive.set(n, naiveCountPrimesBelow(n));
    for (const n of ns) {
      for (const tasks of [1, 2, 3, 5, 17, 100]) {
        const result = await runJob(primes, { below: n }, tasks, n + tasks);
        expect(result, `below ${n}, ${tasks} tasks`).toEqual({ count: naive.get(n), below: n });
      }
    }
  });

  it('counts arbitrary ranges, including across segment boundaries with tiny segments', () => {
    const n = 300_000;
    const prefix = new Int32Array(n + 1);
    const composite = new Uint8Array(n);
    for (let i = 2; i < n; i++) {
      prefix[i + 1] = prefix[i] + (composite[i] ? 0 : 1);
      if (!composite[i]) for (let j = i * i; j < n; j += i) composite[j] = 1;
    }
    let s = 12345;
    const rand = (m: number): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % m);
    for (let t = 0; t < 300; t++) {
      const lo = rand(n);
      const hi = lo + rand(n - lo + 1);
      const segment = [64, 200, 4096, 512 * 1024][t % 4];
      expect(countPrimesInRange(lo, hi, segment), `[${lo}, ${hi}) seg ${segment}`).toBe(prefix[hi] - prefix[lo]);
    }
  });

  it('counts a window near 1e12 like a trial-division check', () => {
    const lo = 1e12;
    const hi = lo + 20_000;
    const ps = smallPrimes(1e6 + 1);
    let expected = 0;
    for (let v = lo; v < hi; v++) {
      let prime = true;
      for (const p of ps) {
        if (p * p > v) break;
        if (v % p === 0) {
          prime = false;
          break;
        }
      }
      if (prime) expected++;
    }
    expect(countPrimesInRange(lo, hi, 1024)).toBe(expected);
    expect(countPrimesInRange(lo, hi)).toBe(expected);
  });

  it('cuts tasks at multiples of 30 that cover the range exactly', () => {
    const params = primes.parse({ below: 1_000_001 });
    let end = 0;
    for (let index = 0; index < 7; index++) {
      const [lo, hi] = primesTaskRange(params, { index, count: 7 });
      expect(lo).toBe(end);
      if (hi < params.below) expect(hi % 30).toBe(0);
      end = hi;
    }
    expect(end).toBe(1_000_001);
  });

  it('rejects bad params and task counts', () => {
    for (const bad of [{}, { below: -1 }, { below: 1.5 }, { below: 'ten' }, { below: Infinity }, { below: NaN }, { below: 1e14 + 1 }, { below: null }, { below: 10, extra: 1 }]) {
      expect(() => primes.parse(bad as Record<string, unknown>), JSON.stringify(bad)).toThrow(KernelInputError);
    }
    expect(() => primes.parse({ below: 10, extra: 1 })).toThrow(/extra/);
    expect(() => primes.parse({ below: -1 })).toThrow(/below/);
    const params = primes.parse({ below: 100 });
    for (const bad of [0, -1, 1.5, NaN]) expect(() => primes.split(params, bad)).toThrow(KernelInputError);
    // The task ceiling is the deployment's (`maxTasks`, applied where a request becomes a job), not the kernel's.
    expect(primes.split(params, 1e9)).toBe(1e9);
  });
});
