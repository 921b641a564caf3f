import { primes } from '../kernels/primes.ts';

/** Times the serial `primes` reference (the fast sieve over the whole range) for primes below `below`. */
export async function benchPrimesSerial(below: number): Promise<{ seconds: number; count: number }> {
  const params = primes.parse({ below });
  const started = process.hrtime.bigint();
  const { count } = primes.reference(params);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, count };
}
