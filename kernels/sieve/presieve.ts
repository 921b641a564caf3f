/**
 * Segments start pre-sieved: every multiple of the primes 7..101 (the primes themselves included) is already
 * cleared, so those primes are never crossed off one multiple at a time. The multiples of 7..19 repeat every
 * 7·11·13·17·19 bytes and are copied in natively; the other primes come in groups whose patterns are ANDed in a
 * 32-bit word at a time, three groups a pass. A group's pattern repeats every ∏p bytes, so ∏p words hold exactly
 * four periods and the sieve's word w (bytes 4w..4w+3) is the pattern's word w mod ∏p.
 */
import { RESIDUES } from './wheel.ts';

const COPIED_PRIMES = [7, 11, 13, 17, 19] as const;
/**
 * ANDing a pattern word costs about as much as crossing off one multiple, and a word holds 32 candidates, so a
 * group pays while its primes' 32/p add up to well over 1; past 101 a further group saves less than it costs.
 */
const ANDED_GROUPS = [
  [23, 29, 31],
  [37, 41, 43],
  [47, 53, 59],
  [61, 67, 71],
  [73, 79, 83],
  [89, 97, 101],
] as const;

export const PRESIEVED_PRIMES: readonly number[] = [...COPIED_PRIMES, ...ANDED_GROUPS.flat()];
export const LARGEST_PRESIEVED_PRIME = 101;

/** Words ANDed per pass; each word pattern runs this far past its period so a pass never wraps around. */
const CHUNK_WORDS = 4096;

interface WordPattern {
  words: Int32Array;
  period: number;
}

let copied: Uint8Array | undefined;
let anded: WordPattern[] | undefined;

/** Sieve bytes 0..length with the multiples of `primes` cleared: one period (∏p bytes) marked, then copied on. */
function multiplesCleared(primes: readonly number[], length: number): Uint8Array {
  const bytes = new Uint8Array(length).fill(0xff);
  const period = Math.min(length, primes.reduce((a, p) => a * p, 1));
  for (const p of primes) {
    for (let k = 0; k < 8; k++) {
      let b = 0; // smallest byte b with 30b + r ≡ 0 (mod p)
      while ((30 * b + RESIDUES[k]) % p !== 0) b++;
      const mask = ~(1 << k) & 0xff;
      for (; b < period; b += p) bytes[b] &= mask;
    }
  }
  for (let filled = period; filled < length; filled += period) bytes.copyWithin(filled, 0, Math.min(period, length - filled));
  return bytes;
}

function copiedPattern(): Uint8Array {
  copied ??= multiplesCleared(COPIED_PRIMES, COPIED_PRIMES.reduce((a, p) => a * p, 1));
  return copied;
}

function andedPatterns(): WordPattern[] {
  anded ??= ANDED_GROUPS.map((primes) => {
    const period = primes.reduce((a, p) => a * p, 1);
    const bytes = multiplesCleared(primes, 4 * (period + CHUNK_WORDS));
    return { words: new Int32Array(bytes.buffer), period };
  });
  return anded;
}

/** Fills words[0..count) with the pre-sieved sieve words starting at absolute word `firstWord`. */
export function presieve(words: Int32Array, firstWord: number, count: number): void {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, count * 4);
  const pattern = copiedPattern();
  for (let filled = 0, at = (firstWord * 4) % pattern.length; filled < bytes.length; at = 0) {
    const n = Math.min(bytes.length - filled, pattern.length - at);
    bytes.set(pattern.subarray(at, at + n), filled);
    filled += n;
  }

  const patterns = andedPatterns();
  for (let start = 0; start < count; start += CHUNK_WORDS) {
    const out = words.subarray(start, Math.min(count, start + CHUNK_WORDS));
    const word = firstWord + start;
    // Three patterns a pass keep every array in a register.
    for (let g = 0; g < patterns.length; g += 3) andThree(out, patterns[g], patterns[g + 1], patterns[g + 2], word);
  }
}

/** out &= the three patterns from absolute word `word` on. */
function andThree(out: Int32Array, a: WordPattern, b: WordPattern, c: WordPattern, word: number): void {
  // Subarrays starting at the matching words leave one index for every access, which V8 compiles tighter.
  const pa = a.words.subarray(word % a.period);
  const pb = b.words.subarray(word % b.period);
  const pc = c.words.subarray(word % c.period);
  for (let w = 0; w < out.length; w++) out[w] &= pa[w] & pb[w] & pc[w];
}
