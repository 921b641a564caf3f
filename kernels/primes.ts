import type { Kernel } from './types.ts';
import { defineKernel } from './define.ts';
import { checkFields, checkTaskRef, checkTasks, numberField, shareOf } from './params.ts';
import { countPrimesInRange, MAX_SIEVE_LIMIT, naiveCountPrimesBelow } from './sieve.ts';

export interface PrimesParams {
  /** Count the primes p < below. */
  below: number;
}
export interface PrimesPartial {
  count: number;
}
export interface PrimesResult {
  count: number;
  below: number;
}

const NAME = 'primes';
/** Sieving costs about N·ln ln N steps; ms per step, measured on one core of a 2-core EPYC with Node 20. */
const MS_PER_SIEVE_STEP = 1.1e-7;

/** Task `task`'s range [lo, hi) of numbers: contiguous, cut at multiples of 30 (one sieve byte). */
export function primesTaskRange(params: PrimesParams, task: { index: number; count: number }): [number, number] {
  const bytes = Math.ceil(params.below / 30);
  const [start, end] = shareOf(bytes, task.index, task.count);
  return [Math.min(start * 30, params.below), Math.min(end * 30, params.below)];
}

export const primes = {
  name: NAME,
  description:
    'Counts the primes below N (up to 1e14) with a segmented mod-30 wheel sieve (small primes cross off mod-210 blocks); each task sieves one range.',
  params: {
    below: 'count the primes below this, an integer from 0 to 1e14 (required)',
  },
  parse(raw) {
    const p = checkFields(NAME, raw, ['below']);
    return {
      below: numberField(NAME, p, 'below', { min: 0, max: MAX_SIEVE_LIMIT, integer: true, allowString: true }),
    };
  },
  split(_params, tasks) {
    // Any count works: tasks beyond one per 30 numbers get empty ranges and count 0.
    return checkTasks(NAME, tasks);
  },
  work(params, task) {
    checkTaskRef(NAME, task);
    const [lo, hi] = primesTaskRange(params, task);
    return { count: countPrimesInRange(lo, hi) };
  },
  reduce(params, partials) {
    let count = 0;
    for (const part of partials) count += part.count;
    return { count, below: params.below };
  },
  reference(params) {
    return { count: countPrimesInRange(0, params.below), below: params.below };
  },
  estimate(params) {
    const n = Math.max(16, params.below);
    return { cpuMs: MS_PER_SIEVE_STEP * n * Math.log(Math.log(n)) };
  },
} satisfies Kernel<PrimesParams, PrimesPartial, PrimesResult>;

export { countPrimesInRange, naiveCountPrimesBelow };

export default defineKernel(primes);
