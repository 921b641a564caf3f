// The pipeline's speedup on this machine: `primes` below 1e10 with 1 worker and with 2, beside the serial
// reference measured in the same run; the end-to-end overhead is the 1-worker job's time over the serial time.
import { cpuBound, type ScalingResult } from './scaling.ts';
import { fmt, machine } from './stats.ts';
import { ensureRedis } from '../host/local/redis-server.ts';

export interface PipelineBenchResult {
  machine: string;
  cpu: ScalingResult['cpu'];
  speedup2: number;
  overheadPercent: number;
}

export async function benchPipeline(opts: { quick?: boolean; resultsDir: string }): Promise<PipelineBenchResult> {
  const redis = await ensureRedis();
  try {
    const cpu = await cpuBound(redis.url, opts.quick ?? false, opts.resultsDir, [1, 2]);
    const one = cpu.runs.find((r) => r.workers === 1)!;
    const two = cpu.runs.find((r) => r.workers === 2)!;
    return {
      machine: machine(),
      cpu,
      speedup2: one.endToEndMs / two.endToEndMs,
      overheadPercent: (one.endToEndMs / 1000 / cpu.serialBestSeconds - 1) * 100,
    };
  } finally {
    await redis.stop();
  }
}

export function pipelineMarkdown(r: PipelineBenchResult): string {
  const c = r.cpu;
  return [
    `### Pipeline: primes below ${c.below.toExponential(0)}, ${c.tasks} tasks (${r.machine})`,
    '',
    `Serial reference in the same run: best ${fmt(c.serialBestSeconds)} s` +
      (c.primesieveSeconds !== null ? ` (primesieve -t1: ${fmt(c.primesieveSeconds)} s).` : '.'),
    '',
    '| workers | end to end (s) | speedup vs serial | efficiency | count ok |',
    '|---|---|---|---|---|',
    ...c.runs.map(
      (x) => `| ${x.workers} | ${fmt(x.endToEndMs / 1000)} | ${fmt(x.speedup)}x | ${fmt(x.efficiency * 100, 0)}% | ${x.correct ? 'yes' : `NO (${x.count})`} |`,
    ),
    '',
    `2 workers vs 1 worker: ${fmt(r.speedup2)}x. End-to-end overhead of the 1-worker job over the serial reference: ${fmt(r.overheadPercent, 1)}%.`,
    '',
  ].join('\n');
}
