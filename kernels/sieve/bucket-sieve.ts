/**
 * Crossing off for sieving primes larger than a segment, which hit a given segment at most a few times: each
 * prime waits in the bucket of the segment holding its next multiple, so a segment touches only the primes that
 * actually hit it. A prime p = 30q + r steps through its multiples p·m, m coprime to 30, one wheel residue at a
 * time; the byte step and bit depend only on q, r's class and the residue.
 */
import { BIT_OF, RESIDUES } from './wheel.ts';

/** Wheel state: 8·(class of r) + (index of m's residue). */
const STATES = 64;
const MASK = new Uint8Array(STATES);
const NEXT_STATE = new Uint8Array(STATES);
/** Step to the next multiple in bytes: q·GAP[state & 7] + CARRY[state]. */
const GAP = new Int32Array(8);
const CARRY = new Int32Array(STATES);
for (let k = 0; k < 8; k++) {
  const s = RESIDUES[k];
  const nextS = k < 7 ? RESIDUES[k + 1] : 31;
  GAP[k] = nextS - s;
  for (let c = 0; c < 8; c++) {
    const r = RESIDUES[c];
    const state = c * 8 + k;
    MASK[state] = ~(1 << BIT_OF[(r * s) % 30]) & 0xff;
    NEXT_STATE[state] = c * 8 + ((k + 1) & 7);
    CARRY[state] = Math.floor((r * nextS) / 30) - Math.floor((r * s) / 30);
  }
}

/** An entry is two int32s: q·64 + wheel state, then the multiple's byte offset within its segment. */
class Bucket {
  // Small to start: tiny segments make for thousands of buckets, most of them nearly empty.
  entries = new Int32Array(32);
  size = 0;

  push(packed: number, offset: number): void {
    if (this.size === this.entries.length) {
      const grown = new Int32Array(this.entries.length * 2);
      grown.set(this.entries);
      this.entries = grown;
    }
    this.entries[this.size++] = packed;
    this.entries[this.size++] = offset;
  }
}

export class BucketSieve {
  private readonly primes: Uint32Array;
  private readonly segBytes: number;
  /** Ring of buckets: buckets[(current + j) % length] holds the primes whose next multiple is j segments ahead. */
  private readonly buckets: Bucket[];
  private current = 0;
  private active = 0;

  /** primes: ascending, each larger than segBytes. */
  constructor(primes: Uint32Array, segBytes: number) {
    this.primes = primes;
    this.segBytes = segBytes;
    const largest = primes.length > 0 ? primes[primes.length - 1] : 0;
    const longestStep = Math.floor(largest / 30) * 6 + 6;
    this.buckets = Array.from({ length: Math.ceil(longestStep / segBytes) + 2 }, () => new Bucket());
  }

  /**
   * Crosses off multiples in seg[0..len), sieve bytes segStart..segStart+len. Calls must cover consecutive
   * segments of segBytes bytes (the last may be shorter); seg must have room for segBytes bytes.
   */
  sieve(seg: Uint8Array, segStart: number, len: number): void {
    this.activate(segStart, len);
    const bucket = this.buckets[this.current];
    const { entries, size } = bucket;
    bucket.size = 0;
    const segBytes = this.segBytes;
    for (let e = 0; e < size; e += 2) {
      const packed = entries[e];
      const q = packed >>> 6;
      let state = packed & 63;
      let at = entries[e + 1];
      do {
        seg[at] &= MASK[state];
        at += q * GAP[state & 7] + CARRY[state];
        state = NEXT_STATE[state];
      } while (at < segBytes);
      this.file((packed - (packed & 63)) | state, at);
    }
    this.current = (this.current + 1) % this.buckets.length;
  }

  /** Puts a prime whose next multiple is `at` bytes past the current segment's start into its bucket. */
  private file(packed: number, at: number): void {
    const ahead = Math.floor(at / this.segBytes);
    this.buckets[(this.current + ahead) % this.buckets.length].push(packed, at - ahead * this.segBytes);
  }

  /** Files the primes whose square falls below this segment's end, at their first multiple p·m ≥ p² here. */
  private activate(segStart: number, len: number): void {
    const { primes } = this;
    const segEndNumber = 30 * (segStart + len);
    while (this.active < primes.length && primes[this.active] * primes[this.active] < segEndNumber) {
      const p = primes[this.active++];
      let m = Math.max(p, Math.ceil((30 * segStart) / p));
      while (BIT_OF[m % 30] < 0) m++;
      const state = BIT_OF[p % 30] * 8 + BIT_OF[m % 30];
      this.file(Math.floor(p / 30) * 64 + state, Math.floor((p * m) / 30) - segStart);
    }
  }
}
