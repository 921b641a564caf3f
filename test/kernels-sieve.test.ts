// The sieve's own code paths: pre-sieve patterns, block and bucket crossing at segment boundaries, word counting,
// and windows far up the range checked against a plain window sieve.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { primes } from '../kernels/primes.ts';
import { countPrimesInRange, MAX_SIEVE_LIMIT, smallPrimes } from '../kernels/sieve.ts';
import { countBits } from '../kernels/sieve/popcount.ts';
import { LARGEST_PRESIEVED_PRIME, PRESIEVED_PRIMES } from '../kernels/sieve/presieve.ts';
import { isqrt } from '../kernels/sieve/wheel.ts';
import { GENERATED_PATH, wheelCrossingSource } from '../scripts/generate-wheel-crossing.ts';
import { runJob } from './kernels-helpers.ts';

const divisors = smallPrimes(isqrt(1e14) + 1);

/** Primes in [lo, hi) by the plainest window sieve: every number, every divisor up to √hi. */
function windowCount(lo: number, hi: number): number {
  if (hi <= lo) return 0;
  const composite = new Uint8Array(hi - lo);
  for (const p of divisors) {
    if (p * p >= hi) break;
    for (let m = Math.max(p * p, Math.ceil(lo / p) * p); m < hi; m += p) composite[m - lo] = 1;
  }
  let count = 0;
  for (let v = Math.max(lo, 2); v < hi; v++) if (!composite[v - lo]) count++;
  return count;
}

/** Segment sizes that put nearly every sieving prime in buckets, some in each kind, and none in buckets. */
const SEGMENTS = [64, 1000, 4096, undefined];

describe('sieve', () => {
  it('pre-sieves exactly the primes 7..101 and counts them itself', () => {
    expect(PRESIEVED_PRIMES).toEqual([...smallPrimes(LARGEST_PRESIEVED_PRIME)].filter((p) => p >= 7));
    for (const p of [2, 3, 5, ...PRESIEVED_PRIMES]) expect(countPrimesInRange(p, p + 1), `${p}`).toBe(1);
    for (const p of [103, 107, 109, 113]) expect(countPrimesInRange(p, p + 1), `${p}`).toBe(1);
    expect(countPrimesInRange(0, 1)).toBe(0);
    expect(countPrimesInRange(1, 2)).toBe(0);
  });

  it('counts the set bits of words', () => {
    let s = 99;
    const words = Int32Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? -1 : (s = (Math.imul(s, 1103515245) + 12345) | 0)));
    for (const n of [0, 1, 2, 3, 29, 30, 31, 32, 33, 61, 999, 1000]) {
      let expected = 0;
      for (let w = 0; w < n; w++) for (let b = 0; b < 32; b++) expected += (words[w] >>> b) & 1;
      expect(countBits(words, n), `${n} words`).toBe(expected);
    }
  });

  it('counts tiny ranges at every offset within a few wheel turns', () => {
    const n = 2000;
    for (const segment of [64, undefined]) {
      for (let lo = 0; lo < n; lo += 7) {
        for (const len of [0, 1, 2, 29, 30, 31, 61, 121]) {
          expect(countPrimesInRange(lo, lo + len, segment), `[${lo}, ${lo + len}) seg ${segment}`).toBe(windowCount(lo, lo + len));
        }
      }
    }
  });

  it('counts ranges that start and end at squares of sieving primes and the multiples around them', () => {
    for (const p of [103, 107, 211, 1009, 4099, 65521, 65537]) {
      const sq = p * p;
      for (const [lo, hi] of [[sq - 60, sq + 60], [sq, sq + 1], [sq - 1, sq], [sq + 1, sq + 3 * p], [sq - 30 * p, sq + 30 * p]]) {
        for (const segment of SEGMENTS) {
          expect(countPrimesInRange(lo, hi, segment), `[${lo}, ${hi}) seg ${segment}`).toBe(windowCount(lo, hi));
        }
      }
    }
  });

  it('counts windows near 1e12 and 1e13 like a plain window sieve, across segment and bucket boundaries', () => {
    for (const lo of [1e12 - 3000, 999_999_999_989 - 30, 3_162_277 ** 2 - 900, 1e13 - 2990]) {
      const hi = lo + 3000;
      const expected = windowCount(lo, hi);
      for (const segment of SEGMENTS) {
        expect(countPrimesInRange(lo, hi, segment), `[${lo}, ${hi}) seg ${segment}`).toBe(expected);
      }
      // A window cut into consecutive ranges of odd lengths counts the same.
      let sum = 0;
      for (let a = lo, step = 1; a < hi; a += step, step = step * 3 + 1) sum += countPrimesInRange(a, Math.min(hi, a + step), 64);
      expect(sum, `pieces of [${lo}, ${hi})`).toBe(expected);
    }
  });

  it('counts ranges over segment boundaries starting and ending at every residue mod 30, whatever blocks run past a segment', () => {
    // Sieving primes up to a segment's size cross off blocks of p bytes that may run past the segment's end into
    // the next one. Each range is two whole segments and a last one a few numbers long, shorter than most blocks.
    for (const segment of [200, 1000, 4096]) {
      for (let a = 0; a < 30; a++) {
        const lo = 1e12 + a;
        const hi = 1e12 + 60 * segment + 30 + ((a * 7) % 30);
        expect(countPrimesInRange(lo, hi, segment), `[${lo}, ${hi}) seg ${segment}`).toBe(windowCount(lo, hi));
      }
    }
  });

  it('has the block crossing code its generator writes', () => {
    expect(readFileSync(new URL(`../${GENERATED_PATH}`, import.meta.url), 'utf8')).toBe(wheelCrossingSource());
  });

  it('counts windows around the mod-210 blocks of sieving primes, at their first block and far up', () => {
    // Primes up to a seventh of min(segment, 64 KiB) cross off blocks of 7p bytes (multipliers m coprime to 210):
    // windows start and end around p·210·c, where one block ends and the next begins, with c the block holding p
    // (which must stay uncrossed), the one holding p², and a block near 1e12.
    for (const p of [103, 107, 113, 139, 199, 211, 293, 577, 1009, 9349]) {
      for (const c of [0, 1, Math.floor(p / 210), Math.floor(p / 210) + 1, Math.floor(1e12 / (210 * p))]) {
        const edge = 210 * p * c;
        for (const [lo, hi] of [[edge - 90, edge + 90], [edge, edge + 1], [edge + p, edge + p + 1], [edge - 7 * p, edge + 7 * p]]) {
          if (hi <= 0) continue;
          for (const segment of [1000, 4096, 65536, undefined]) {
            expect(countPrimesInRange(Math.max(0, lo), hi, segment), `[${lo}, ${hi}) p ${p} seg ${segment}`).toBe(windowCount(Math.max(0, lo), hi));
          }
        }
      }
    }
  });

  it('counts ranges over segment boundaries at every residue mod 210, whatever mod-210 blocks run past a segment', () => {
    // Segments of 1000 and 4096 bytes put the primes up to 142 and 585 in mod-210 blocks of up to 7p bytes, nearly
    // a whole segment; the last segment is a few numbers long, so the overflow of whole blocks reaches well past it.
    for (const segment of [1000, 4096]) {
      for (let a = 0; a < 210; a += 11) {
        const lo = 5e11 + a;
        const hi = 5e11 + 90 * segment + 210 + ((a * 13) % 210);
        expect(countPrimesInRange(lo, hi, segment), `[${lo}, ${hi}) seg ${segment}`).toBe(windowCount(lo, hi));
      }
    }
  });

  it('counts windows near 1e14, up to the largest limit, like a plain window sieve and primesieve', () => {
    expect(MAX_SIEVE_LIMIT).toBe(1e14);
    for (const lo of [1e14 - 3000, 9_999_991 ** 2 - 1500]) {
      const hi = Math.min(lo + 3000, MAX_SIEVE_LIMIT + 1);
      const expected = windowCount(lo, hi);
      for (const segment of SEGMENTS) expect(countPrimesInRange(lo, hi, segment), `[${lo}, ${hi}) seg ${segment}`).toBe(expected);
    }
    // primesieve 99999900000000 100000000000000 -c1
    expect(countPrimesInRange(1e14 - 1e8, 1e14)).toBe(3_100_778);
  });

  it('counts the known pi(1e9) and pi(1e10)', () => {
    expect(countPrimesInRange(0, 1e9)).toBe(50_847_534);
    expect(countPrimesInRange(0, 1e10)).toBe(455_052_511);
  });

  it('counts the same with every segment size over a range that needs buckets', () => {
    const lo = 4e10;
    const hi = lo + 3e6;
    const expected = countPrimesInRange(lo, hi, 64);
    for (const segment of [200, 1000, 4096, 65536, undefined]) expect(countPrimesInRange(lo, hi, segment), `seg ${segment}`).toBe(expected);
  });

  it.each([
    [1e7, 664_579],
    [2 ** 27, 7_603_553],
    [123_456_789, 7_027_260],
  ])('sums task partials below %i to the known count', async (below, count) => {
    for (const tasks of [1, 4, 13, 97]) {
      expect(await runJob(primes, { below }, tasks), `${tasks} tasks`).toEqual({ count, below });
    }
  });
});
