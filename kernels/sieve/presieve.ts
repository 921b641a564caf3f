/**
 * Segments start pre-sieved: every multiple of the primes 7..101 (the primes themselves included) is already
 * cleared, so those primes are never crossed off one multiple at a time. The multiples of 7..19 repeat every
 * 7·11·13·17·19 bytes and are copied in natively; the other primes come in groups whose patterns are ANDed in a
 * 32-bit word at a time. A group's pattern repeats every ∏p bytes, so ∏p words hold exactly four periods and the
 * sieve's word w (bytes 4w..4w+3) is the pattern's word w mod ∏p.
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

/** Sieve bytes 0..length with the multiples of `primes` cleared. */
function multiplesCleared(primes: readonly number[], length: number): Uint8Array {
  const bytes = new Uint8Array(length).fill(0xff);
  for (const p of primes) {
    for (let k = 0; k < 8; k++) {
      let b = 0; // smallest byte b with 30b + r ≡ 0 (mod p)
      while ((30 * b + RESIDUES[k]) % p !== 0) b++;
      const mask = ~(1 << k) & 0xff;
      for (; b < length; b += p) bytes[b] &= mask;
    }
  }
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

  const [a, b, c, d, e, f] = andedPatterns();
  const pa = a.words, pb = b.words, pc = c.words, pd = d.words, pe = e.words, pf = f.words;
  for (let start = 0; start < count; start += CHUNK_WORDS) {
    const end = Math.min(count, start + CHUNK_WORDS);
    const word = firstWord + start;
    // Offsets such that pattern word (o + w) belongs with sieve word w of this pass.
    const oa = (word % a.period) - start, ob = (word % b.period) - start, oc = (word % c.period) - start;
    const od = (word % d.period) - start, oe = (word % e.period) - start, of = (word % f.period) - start;
    for (let w = start; w < end; w++) {
      words[w] &= pa[oa + w] & pb[ob + w] & pc[oc + w] & pd[od + w] & pe[oe + w] & pf[of + w];
    }
  }
}
