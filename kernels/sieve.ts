/**
 * Segmented sieve of Eratosthenes on a mod-30 wheel (sieve/wheel.ts): each segment starts as the AND of
 * pre-sieved patterns (sieve/presieve.ts), primes up to a segment's size cross off whole blocks of multiples
 * (sieve/block-sieve.ts; the smaller ones on a mod-210 wheel of multipliers, leaving out multiples of 7), larger ones wait in per-segment buckets for the segments they hit
 * (sieve/bucket-sieve.ts), and the survivors are counted a word at a time (sieve/popcount.ts).
 */
import { BlockSieve, WHEEL_210 } from './sieve/block-sieve.ts';
import { BucketSieve } from './sieve/bucket-sieve.ts';
import { countBits } from './sieve/popcount.ts';
import { LARGEST_PRESIEVED_PRIME, PRESIEVED_PRIMES, presieve } from './sieve/presieve.ts';
import { isqrt, RESIDUES, smallPrimes } from './sieve/wheel.ts';

export { smallPrimes };

/** Counted directly: the wheel leaves out 2, 3 and 5, and the patterns clear the presieved primes themselves. */
const UNSIEVED_PRIMES = [2, 3, 5, ...PRESIEVED_PRIMES] as const;

/**
 * Bytes (30 numbers each) per segment. Half the L2 cache measured fastest: every sieving prime up to a segment's
 * size costs some work per segment, so larger segments pay that less often.
 */
export const DEFAULT_SEGMENT_BYTES = 512 * 1024;

/**
 * Primes up to a seventh of this (or of a smaller segment) cross off mod-210 blocks (7p bytes), the larger ones
 * mod-30 blocks (p bytes). The overflow of 7p-byte blocks is carried from segment to segment, which costs more
 * than leaving out the multiples of 7 saves once it nears a segment's size: 16-64 KiB measured best (about 10%
 * faster below 1e10 than mod-30 blocks alone), 512 KiB no faster than none.
 */
const WHEEL_210_BYTES = 64 * 1024;

/** Largest `below` the sieve supports: products stay exact in doubles, segment offsets and packed bucket entries in int32. */
export const MAX_SIEVE_LIMIT = 1e14;

/** Counts the primes p with lo ≤ p < hi (0 ≤ lo, hi ≤ MAX_SIEVE_LIMIT + 1). */
export function countPrimesInRange(lo: number, hi: number, segmentBytes = DEFAULT_SEGMENT_BYTES): number {
  lo = Math.max(0, Math.ceil(lo));
  hi = Math.ceil(hi);
  if (hi <= lo) return 0;
  let count = 0;
  for (const p of UNSIEVED_PRIMES) if (p >= lo && p < hi) count++;

  const firstByte = Math.floor(lo / 30);
  const endByte = Math.ceil(hi / 30);
  // Segments start on a word boundary, so a segment's word w is the patterns' word (start / 4 + w).
  const start = firstByte - (firstByte % 4);
  const segBytes = Math.max(64, segmentBytes - (segmentBytes % 8));

  const sievingPrimes = smallPrimes(isqrt(hi - 1));
  let first = 0;
  while (first < sievingPrimes.length && sievingPrimes[first] <= LARGEST_PRESIEVED_PRIME) first++;
  let split210 = first;
  const max210 = Math.min(segBytes, WHEEL_210_BYTES) / 7;
  while (split210 < sievingPrimes.length && sievingPrimes[split210] <= max210) split210++;
  let split = split210;
  while (split < sievingPrimes.length && sievingPrimes[split] <= segBytes) split++;
  const blocks210 = new BlockSieve(sievingPrimes.subarray(first, split210), WHEEL_210);
  const blocks = new BlockSieve(sievingPrimes.subarray(split210, split));
  const buckets = new BucketSieve(sievingPrimes.subarray(split), segBytes);

  const buffer = new ArrayBuffer(segBytes + Math.max(blocks210.overflowBytes, blocks.overflowBytes));
  const seg = new Uint8Array(buffer);
  const words = new Int32Array(buffer);

  for (let segStart = start; segStart < endByte; segStart += segBytes) {
    const len = Math.min(segBytes, endByte - segStart);
    const wordCount = (len + 3) >>> 2;
    presieve(words, segStart / 4, wordCount);
    blocks210.sieve(seg, segStart, len);
    blocks.sieve(seg, segStart, len);
    buckets.sieve(seg, segStart, len);

    // Clear what lies outside [lo, hi), and 1 (not a prime).
    if (segStart === 0) seg[0] &= ~1;
    if (segStart === start) {
      for (let b = 0; b < firstByte - start; b++) seg[b] = 0;
      for (let k = 0; k < 8; k++) if (30 * firstByte + RESIDUES[k] < lo) seg[firstByte - start] &= ~(1 << k);
    }
    if (segStart + len === endByte) {
      for (let k = 0; k < 8; k++) if (30 * (endByte - 1) + RESIDUES[k] >= hi) seg[len - 1] &= ~(1 << k);
      for (let b = len; b < wordCount * 4; b++) seg[b] = 0;
    }
    count += countBits(words, wordCount);
  }
  return count;
}

/** Counts primes below n with a deliberately simple sieve, only to cross-check the fast one on small inputs. */
export function naiveCountPrimesBelow(n: number): number {
  if (n <= 2) return 0;
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}
