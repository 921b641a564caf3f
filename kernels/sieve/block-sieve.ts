/**
 * Crossing off for sieving primes no larger than a segment, on a wheel of multipliers: prime p = 30q + r has its
 * multiples p·(W·c + m), m coprime to W (W = 30 or 210), at bytes (W/30)·p·c + q·m + ⌊r·m/30⌋: blocks of
 * (W/30)·p bytes starting at (W/30)·p·c + q, each with the same offsets and bit masks, so a block is a fixed run of
 * unconditional byte ANDs. On the mod-210 wheel the multiples of 7 (cleared by the pre-sieve) are left out: 48
 * crossings per 7p bytes instead of 56.
 *
 * A block that starts inside a segment is crossed off whole, even where it runs past the segment's end: the
 * segment buffer has room for one more block (the overflow), which is carried into the next segment. So no prime
 * crosses off a block piecewise at a segment's start and end, which the larger primes (a few blocks a segment)
 * paid for in every segment (measured about 10% of the crossing-off time).
 */
import { crossWheel30Blocks, crossWheel210Blocks } from './wheel-crossing.ts';
import { BIT_OF, RESIDUES } from './wheel.ts';

export interface BlockWheel {
  /** W: the multipliers' period, in numbers. */
  readonly period: 30 | 210;
  /** The multipliers m in [1, W) coprime to W, ascending. */
  readonly multipliers: readonly number[];
  /** Crosses off p's whole blocks from byte i while they start inside seg[0..len); returns the next block's start. */
  readonly crossWholeBlocks: (seg: Uint8Array, len: number, i: number, p: number) => number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export const WHEEL_30: BlockWheel = { period: 30, multipliers: RESIDUES, crossWholeBlocks: crossWheel30Blocks };
export const WHEEL_210: BlockWheel = {
  period: 210,
  multipliers: Array.from({ length: 210 }, (_, m) => m).filter((m) => gcd(m, 210) === 1),
  crossWholeBlocks: crossWheel210Blocks,
};

export class BlockSieve {
  private readonly primes: Uint32Array;
  private readonly wheel: BlockWheel;
  /** Where (relative to the next segment) prime i's next block starts. */
  private readonly next: Int32Array;
  /** Bytes a block may run past its segment: the largest block, rounded up to whole words. */
  readonly overflowBytes: number;
  /** The last segment's overflow, to be ANDed into the next segment's first bytes. */
  private readonly carry: Uint8Array;
  private carried = false;
  /** Primes [0, active) have had their square reached and are being crossed off. */
  private active = 0;

  /** primes: ascending, none below 31 nor (on the mod-210 wheel) below 11. */
  constructor(primes: Uint32Array, wheel: BlockWheel = WHEEL_30) {
    this.primes = primes;
    this.wheel = wheel;
    this.next = new Int32Array(primes.length);
    const largest = primes.length > 0 ? primes[primes.length - 1] : 0;
    this.overflowBytes = ((largest * wheel.period) / 30 + 3) & ~3;
    this.carry = new Uint8Array(this.overflowBytes);
  }

  /**
   * Crosses off multiples in seg[0..len), sieve bytes segStart..segStart+len; seg must have room for
   * len + overflowBytes bytes. Calls must cover consecutive segments, each starting where the previous one ended.
   */
  sieve(seg: Uint8Array, segStart: number, len: number): void {
    const { primes, next, overflowBytes, carry, wheel } = this;
    if (overflowBytes === 0) return;
    if (this.carried) andInto(seg, carry);
    seg.fill(0xff, len, len + overflowBytes);
    const segEndNumber = 30 * (segStart + len);
    const blockScale = wheel.period / 30;
    // Crossing starts with the block holding p² or a later one: multiples below p² in it are composite anyway.
    while (this.active < primes.length && primes[this.active] * primes[this.active] < segEndNumber) {
      const p = primes[this.active];
      const blockBytes = blockScale * p;
      const c = Math.max(Math.floor(p / wheel.period), Math.floor(segStart / blockBytes));
      const at = blockBytes * c + Math.floor(p / 30) - segStart;
      next[this.active] = at < 0 || c === 0 ? crossPartialBlock(seg, at, p, c === 0, wheel) : at;
      this.active++;
    }
    crossOff(seg, len, this.active, primes, next, wheel.crossWholeBlocks);
    carry.set(seg.subarray(len, len + overflowBytes));
    this.carried = true;
  }
}

/** seg[0..) &= carry, a word at a time (both start word-aligned and carry is whole words). */
function andInto(seg: Uint8Array, carry: Uint8Array): void {
  const to = new Int32Array(seg.buffer, seg.byteOffset, carry.length >>> 2);
  const from = new Int32Array(carry.buffer, carry.byteOffset, carry.length >>> 2);
  for (let w = 0; w < from.length; w++) to[w] &= from[w];
}

/**
 * Crosses off the part at or after byte 0 of prime p's block starting at `at` (which may begin before the
 * segment), leaving out p itself in the first block, and returns where the next block starts.
 */
function crossPartialBlock(seg: Uint8Array, at: number, p: number, first: boolean, wheel: BlockWheel): number {
  const q = Math.floor(p / 30);
  const r = p % 30;
  for (const m of wheel.multipliers) {
    if (first && m === 1) continue;
    const j = at + q * (m - 1) + Math.floor((r * m) / 30);
    if (j >= 0) seg[j] &= ~(1 << BIT_OF[(r * m) % 30]);
  }
  return at + (p * wheel.period) / 30;
}

/** Crosses off the blocks of primes [0, count) that start in seg[0..len), and moves `next` on to the next segment. */
function crossOff(
  seg: Uint8Array,
  len: number,
  count: number,
  primes: Uint32Array,
  next: Int32Array,
  cross: BlockWheel['crossWholeBlocks'],
): void {
  for (let idx = 0; idx < count; idx++) {
    const i = next[idx];
    next[idx] = (i < len ? cross(seg, len, i, primes[idx]) : i) - len;
  }
}
