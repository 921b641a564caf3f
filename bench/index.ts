// `npm run bench -- [NAME...] [--quick]`: runs the named benchmarks (default: platform, pipeline) and writes
// a Markdown and a JSON report for each under bench/results/.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { benchPlatform, platformMarkdown } from './platform.ts';
import { writeReport } from './stats.ts';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

interface Benchmark {
  describe: string;
  run(opts: { quick: boolean }): Promise<{ data: unknown; markdown: string }>;
}

export const benchmarks: Record<string, Benchmark> = {
  platform: {
    describe: 'warm/cold invoke latency and activation throughput of the embedded platform vs bare Node HTTP',
    async run(opts) {
      const data = await benchPlatform(opts);
      return { data, markdown: platformMarkdown(data) };
    },
  },
};

export const defaultBenchmarks = ['platform'];

export async function runBench(names: string[], opts: { quick: boolean }): Promise<void> {
  const selected = names.length > 0 ? names : defaultBenchmarks;
  for (const name of selected) {
    const bench = benchmarks[name];
    if (!bench) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(benchmarks).join(', ')}`);
    console.error(`bench ${name}: ${bench.describe} ...`);
    const { data, markdown } = await bench.run(opts);
    console.log(writeReport(resultsDir, name, data, markdown));
  }
}
