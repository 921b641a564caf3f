/**
 * Segmented sieve of Eratosthenes on a mod-30 wheel: each byte holds the 8 numbers 30b + {1,7,11,13,17,19,23,29},
 * so multiples of 2, 3 and 5 are never stored. Segments start as a copy of a pre-sieved pattern (multiples of
 * 7..19 already removed); every remaining sieving prime p is crossed off a block of p bytes (30p numbers) at a
 * time: the multiples p·q with q ≡ r (mod 30) all land on the same bit, so each block has 8 fixed offsets and
 * masks. Survivors are counted with a 32-bit popcount.
 */

const RESIDUES = [1, 7, 11, 13, 17, 19, 23, 29] as const;
const BIT_OF = new Int8Array(30).fill(-1);
RESIDUES.forEach((r, i) => (BIT_OF[r] = i));

const PRESIEVE_PRIMES = [7, 11, 13, 17, 19] as const;
/** 7·11·13·17·19 bytes: the pattern of those primes' multiples repeats with this period. */
const PATTERN_BYTES = 7 * 11 * 13 * 17 * 19;
/** Counted directly: the wheel and pattern remove 2..19, and 23 and 29 are crossed off as their own multiples. */
const WHEEL_PRIMES = [2, 3, 5, ...PRESIEVE_PRIMES, 23, 29] as const;
const FIRST_SIEVING_PRIME = 23;

/**
 * Bytes (30 numbers each) per segment. Half the L2 cache measured fastest: every sieving prime below √N costs
 * some work per segment even when it has no multiple there, so larger segments pay that less often.
 */
export const DEFAULT_SEGMENT_BYTES = 512 * 1024;

/** Largest `below` the sieve supports: products and offsets stay exact in doubles and int32 well past this. */
export const MAX_SIEVE_LIMIT = 1e13;

let pattern: Uint8Array | undefined;

function presievePattern(): Uint8Array {
  if (pattern) return pattern;
  const pat = new Uint8Array(PATTERN_BYTES).fill(0xff);
  for (const p of PRESIEVE_PRIMES) {
    for (let k = 0; k < 8; k++) {
      // Smallest byte b with 30b + r ≡ 0 (mod p).
      let b = 0;
      while ((30 * b + RESIDUES[k]) % p !== 0) b++;
      const mask = ~(1 << k) & 0xff;
      for (; b < PATTERN_BYTES; b += p) pat[b] &= mask;
    }
  }
  pattern = pat;
  return pat;
}

/** All primes ≤ limit, ascending (plain odd-only sieve; limit is at most a few million here). */
export function smallPrimes(limit: number): Uint32Array {
  if (limit < 2) return new Uint32Array(0);
  const n = Math.floor(limit);
  const half = (n - 1) >>> 1; // odd numbers 3, 5, ..., index i ↔ 2i + 3
  const composite = new Uint8Array(half);
  for (let i = 0; ; i++) {
    const p = 2 * i + 3;
    if (p * p > n) break;
    if (composite[i]) continue;
    for (let j = (p * p - 3) >>> 1; j < half; j += p) composite[j] = 1;
  }
  let count = 1;
  for (let i = 0; i < half; i++) if (!composite[i]) count++;
  const out = new Uint32Array(count);
  out[0] = 2;
  let w = 1;
  for (let i = 0; i < half; i++) if (!composite[i]) out[w++] = 2 * i + 3;
  return out;
}

function isqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}

function popcount(words: Uint32Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) {
    let v = words[i];
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    c += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return c;
}

/**
 * Crosses off, within the first len bytes of the segment, the multiples of primes[0..count). next[idx] is where
 * (relative to the segment) prime idx's next block starts; negative when a block was begun in the previous
 * segment, whose bytes below 0 are done. On return next[] is relative to the following segment.
 */
function crossOff(
  seg: Uint8Array,
  len: number,
  count: number,
  primes: Uint32Array,
  next: Int32Array,
  offsets: Int32Array,
  masks: Uint8Array,
): void {
  for (let idx = 0; idx < count; idx++) {
    let i = next[idx];
    if (i >= len) {
      next[idx] = i - len;
      continue;
    }
    const p = primes[idx];
    const b = idx * 8;
    const o7 = offsets[b + 7];
    if (i < 0) {
      for (let k = 0; k < 8; k++) {
        const j = i + offsets[b + k];
        if (j >= 0 && j < len) seg[j] &= masks[b + k];
      }
      if (i + o7 >= len) {
        next[idx] = i - len;
        continue;
      }
      i += p;
    }
    const o1 = offsets[b + 1], o2 = offsets[b + 2], o3 = offsets[b + 3];
    const o4 = offsets[b + 4], o5 = offsets[b + 5], o6 = offsets[b + 6];
    const m0 = masks[b], m1 = masks[b + 1], m2 = masks[b + 2], m3 = masks[b + 3];
    const m4 = masks[b + 4], m5 = masks[b + 5], m6 = masks[b + 6], m7 = masks[b + 7];
    const lim = len - o7;
    for (; i < lim; i += p) {
      seg[i] &= m0;
      seg[i + o1] &= m1;
      seg[i + o2] &= m2;
      seg[i + o3] &= m3;
      seg[i + o4] &= m4;
      seg[i + o5] &= m5;
      seg[i + o6] &= m6;
      seg[i + o7] &= m7;
    }
    if (i < len) {
      for (let k = 0; k < 8; k++) {
        const j = i + offsets[b + k];
        if (j < len) seg[j] &= masks[b + k];
      }
    }
    next[idx] = i - len;
  }
}

/** Counts the primes p with lo ≤ p < hi (0 ≤ lo, hi ≤ MAX_SIEVE_LIMIT + 1). */
export function countPrimesInRange(lo: number, hi: number, segmentBytes = DEFAULT_SEGMENT_BYTES): number {
  lo = Math.max(0, Math.ceil(lo));
  hi = Math.ceil(hi);
  if (hi <= lo) return 0;
  let count = 0;
  for (const p of WHEEL_PRIMES) if (p >= lo && p < hi) count++;

  const firstByte = Math.floor(lo / 30);
  const endByte = Math.ceil(hi / 30);
  const maxPrime = isqrt(hi - 1);
  const all = smallPrimes(maxPrime);
  let start = 0;
  while (start < all.length && all[start] < FIRST_SIEVING_PRIME) start++;
  const primes = all.subarray(start);
  const np = primes.length;
  // Prime p's multiples p·(30c + r) sit at byte p·c + ⌊p·r/30⌋: blocks of p bytes starting at p·c + ⌊p/30⌋,
  // 8 fixed offsets and bits in each. next[i] is where (relative to the current segment) prime i's next
  // unfinished block starts.
  const next = new Int32Array(np);
  const offsets = new Int32Array(np * 8);
  const masks = new Uint8Array(np * 8);
  for (let i = 0; i < np; i++) {
    const p = primes[i];
    for (let k = 0; k < 8; k++) {
      const r = RESIDUES[k];
      offsets[i * 8 + k] = Math.floor((p * r) / 30) - Math.floor(p / 30);
      masks[i * 8 + k] = ~(1 << BIT_OF[(p * r) % 30]) & 0xff;
    }
  }
  let active = 0;

  const pat = presievePattern();
  const segBytes = Math.max(64, segmentBytes - (segmentBytes % 8));
  const buffer = new ArrayBuffer(segBytes);
  const seg = new Uint8Array(buffer);
  const words = new Uint32Array(buffer);

  for (let segLo = firstByte; segLo < endByte; segLo += segBytes) {
    const len = Math.min(segBytes, endByte - segLo);
    const segHiNumber = 30 * (segLo + len);

    // Copy the pre-sieved pattern, which repeats every PATTERN_BYTES bytes.
    let filled = 0;
    let off = segLo % PATTERN_BYTES;
    while (filled < len) {
      const n = Math.min(len - filled, PATTERN_BYTES - off);
      seg.set(pat.subarray(off, off + n), filled);
      filled += n;
      off = 0;
    }

    // Activate primes whose square falls below this segment's end. Crossing starts at the block holding p²
    // (multiples below p² in that block are composite anyway; for p < 30 it also clears p, counted directly).
    while (active < np && primes[active] * primes[active] < segHiNumber) {
      const p = primes[active];
      const c = Math.max(Math.floor(p / 30), Math.floor(segLo / p));
      next[active] = p * c + Math.floor(p / 30) - segLo;
      active++;
    }

    crossOff(seg, len, active, primes, next, offsets, masks);

    // Mask numbers outside [lo, hi) at the two ends, and 1, 23, 29 (not prime, or counted directly).
    if (segLo === 0) seg[0] &= ~(1 | (1 << 6) | (1 << 7));
    if (segLo === firstByte) {
      for (let k = 0; k < 8; k++) if (30 * segLo + RESIDUES[k] < lo) seg[0] &= ~(1 << k);
    }
    if (segLo + len === endByte) {
      for (let k = 0; k < 8; k++) if (30 * (endByte - 1) + RESIDUES[k] >= hi) seg[len - 1] &= ~(1 << k);
    }
    const wordCount = (len + 3) >>> 2;
    for (let j = len; j < wordCount * 4; j++) seg[j] = 0;
    count += popcount(words, wordCount);
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
