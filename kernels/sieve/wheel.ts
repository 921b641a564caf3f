/**
 * The mod-30 wheel layout every sieve module shares: byte b of a sieve holds the 8 numbers 30b + RESIDUES[k]
 * (bit k), so multiples of 2, 3 and 5 are never stored.
 */
export const RESIDUES = [1, 7, 11, 13, 17, 19, 23, 29] as const;

/** BIT_OF[r] is the bit that stands for residue r (mod 30), or -1 when r shares a factor with 30. */
export const BIT_OF = new Int8Array(30).fill(-1);
RESIDUES.forEach((r, k) => (BIT_OF[r] = k));

/** ⌊√n⌋, exact for every n the sieve supports. */
export function isqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
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
