// The `primes` kernel on its own: the serial reference (the fast sieve over the whole range, in this process)
// beside `primesieve -t1` (the C++ reference), run alternately so that both see the same load, median of each.
import { spawnSync } from 'node:child_process';
import { primes } from '../kernels/primes.ts';
import { findOnPath } from '../host/local/redis-server.ts';
import { fmt, machine, median } from './stats.ts';

/** Times the serial `primes` reference (the fast sieve over the whole range) for primes below `below`. */
export async function benchPrimesSerial(below: number): Promise<{ seconds: number; count: number }> {
  const params = primes.parse({ below });
  const started = process.hrtime.bigint();
  const { count } = primes.reference(params);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, count };
}

/** `primesieve -tN below`: its own timing of the sieve (wall clock when it prints none), or null when it is not installed or fails. */
export function primesieveSeconds(below: number, threads = 1): number | null {
  if (!findOnPath('primesieve')) return null;
  const t = process.hrtime.bigint();
  const out = spawnSync('primesieve', [`-t${threads}`, '-q', '--time', String(below)], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  if (out.status !== 0) return null;
  const m = /Seconds:\s*([\d.]+)/.exec(out.stdout);
  return m ? Number(m[1]) : wall;
}

export interface KernelsResult {
  machine: string;
  quick: boolean;
  below: number;
  count: number;
  /** Seconds per run, in the order run; serial and primesieve alternate, serial first. */
  serialSeconds: number[];
  primesieveSeconds: number[];
  serialMedian: number;
  primesieveMedian: number | null;
  /** primesieve / serial time, per pair of consecutive runs: 1 is as fast as primesieve. */
  pairRatios: number[];
  /** Median of pairRatios; null without primesieve. */
  ratio: number | null;
}

const PI_1E9 = 50_847_534;
const PI_1E10 = 455_052_511;

export async function benchKernels(opts: { quick: boolean }): Promise<KernelsResult> {
  const below = opts.quick ? 1e9 : 1e10;
  const expected = opts.quick ? PI_1E9 : PI_1E10;
  const rounds = opts.quick ? 3 : 5;
  const serialSeconds: number[] = [];
  const psSeconds: number[] = [];
  const pairRatios: number[] = [];
  let count = 0;
  for (let r = 0; r < rounds; r++) {
    const s = await benchPrimesSerial(below);
    if (s.count !== expected) throw new Error(`primes below ${below}: counted ${s.count}, expected ${expected}`);
    count = s.count;
    serialSeconds.push(s.seconds);
    const ps = primesieveSeconds(below);
    if (ps !== null) {
      psSeconds.push(ps);
      pairRatios.push(ps / s.seconds);
    }
    console.error(`  kernels: primes below ${below}: serial ${fmt(s.seconds)} s` + (ps !== null ? `, primesieve -t1 ${fmt(ps)} s` : ''));
  }
  return {
    machine: machine(),
    quick: opts.quick,
    below,
    count,
    serialSeconds,
    primesieveSeconds: psSeconds,
    serialMedian: median(serialSeconds),
    primesieveMedian: psSeconds.length > 0 ? median(psSeconds) : null,
    pairRatios,
    ratio: pairRatios.length > 0 ? median(pairRatios) : null,
  };
}

export function kernelsMarkdown(r: KernelsResult): string {
  const lines = [
    `### Kernels (${r.machine}${r.quick ? ', --quick' : ''})`,
    '',
    `Primes below ${r.below.toExponential(0)} (${r.count}), serial, ${r.serialSeconds.length} runs alternating with primesieve -t1.`,
    '',
    '| | median (s) | runs (s) |',
    '|---|---|---|',
    `| primes kernel, serial | ${fmt(r.serialMedian)} | ${r.serialSeconds.map((s) => fmt(s)).join(', ')} |`,
    r.primesieveMedian !== null
      ? `| primesieve -t1 | ${fmt(r.primesieveMedian)} | ${r.primesieveSeconds.map((s) => fmt(s)).join(', ')} |`
      : '| primesieve -t1 | not on PATH | |',
    '',
    r.ratio !== null
      ? `Speed relative to primesieve -t1 (median of the per-pair ratios, 1 = as fast): ${fmt(r.ratio)}x (pairs: ${r.pairRatios.map((x) => fmt(x)).join(', ')}).`
      : 'primesieve is not on PATH: no ratio.',
    '',
  ];
  return lines.join('\n');
}
