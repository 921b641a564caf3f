// `npm run bench -- [NAME...] [--quick] [--publish]`: runs the named benchmarks (default: platform, pipeline,
// compositions) and writes a Markdown and a JSON report for each under build/bench-results/ (not tracked), or with
// --publish under bench/results/, the published figures the README quotes.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { benchPlatform, platformMarkdown } from './platform.ts';
import { writeReport } from './stats.ts';
import { benchScaling, scalingMarkdown } from './scaling.ts';
import { benchModel } from './model.ts';
import { benchPipeline, pipelineMarkdown } from './pipeline.ts';
import { benchCompositions, compositionsMarkdown } from './compositions.ts';
import { answerMarkdown, benchAnswer } from './answer.ts';
import { benchDefaults, defaultsMarkdown } from './defaults.ts';
import { benchKernels, kernelsMarkdown } from './kernels.ts';
import { benchUserKernel, userKernelMarkdown } from './user-kernel.ts';
import { benchData, dataMarkdown } from './data.ts';
import { benchSort, sortMarkdown } from './sort.ts';
import { benchCustomer360, customer360Markdown } from './customer-360.ts';

/** The published figures, tracked: written only when asked (`--publish`). */
export const publishedDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
/** Where a run's reports go otherwise: inside the ignored build folder, so a run never changes tracked files. */
export const localResultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'bench-results');

interface Benchmark {
  describe: string;
  /** `argv`: the command line's options, for a benchmark's own (`--size=BYTES`). */
  run(opts: { quick: boolean; argv: string[]; resultsDir: string }): Promise<{ data: unknown; markdown: string }>;
}

export const benchmarks: Record<string, Benchmark> = {
  platform: {
    describe: 'warm/cold invoke latency and activation throughput of the embedded platform vs bare Node HTTP',
    async run(opts) {
      const data = await benchPlatform(opts);
      return { data, markdown: platformMarkdown(data) };
    },
  },
  pipeline: {
    describe: 'primes below 1e10 through the pipeline with 1 and 2 workers, beside the serial reference',
    async run(opts) {
      const data = await benchPipeline(opts);
      return { data, markdown: pipelineMarkdown(data) };
    },
  },
  'user-kernel': {
    describe: 'per-task cost of pi as a built-in kernel and the same module deployed as a user kernel (push and pull)',
    async run(opts) {
      const data = await benchUserKernel(opts);
      return { data, markdown: userKernelMarkdown(data) };
    },
  },
  kernels: {
    describe: 'serial primes below 1e10 beside primesieve -t1, alternating runs, medians and their ratio',
    async run(opts) {
      const data = await benchKernels(opts);
      return { data, markdown: kernelsMarkdown(data) };
    },
  },
  scaling: {
    describe: 'primes speedup on 1..cpus workers, and 1,000-10,000 sleep tasks at once vs a worker_threads pool',
    async run(opts) {
      const data = await benchScaling(opts);
      return { data, markdown: scalingMarkdown(data) };
    },
  },
  model: {
    describe: 'predicted end-to-end time of primes below 1e12 and 1e13 on 100-10,000 workers, from the measured costs',
    run: (opts) => benchModel({ ...opts, inputDirs: [opts.resultsDir, publishedDir] }),
  },
  compositions: {
    describe: "a 64-task primes job through composer's parallel map beside the same job through the coordinator",
    async run(opts) {
      const data = await benchCompositions(opts);
      return { data, markdown: compositionsMarkdown(data) };
    },
  },
  defaults: {
    describe: 'on the shipped defaults: primes scaling beside primesieve, unequal tasks, 10,000 small tasks pull vs push, the plan vs hand sizing (--plans=1e9,1e11: which limits; default also 1e12)',
    async run(opts) {
      const data = await benchDefaults(opts);
      return { data, markdown: defaultsMarkdown(data) };
    },
  },
  data: {
    describe: 'a CSV (256 MiB; --quick 32 MiB; --size=BYTES) and the same rows as Parquet aggregated by DuckDB on 1 and 2 threads beside the aggregate example (CSV) and the sql kernel (CSV and Parquet), each on 1 worker and the default plan over a local S3 store, and the reads alone',
    async run(opts) {
      const data = await benchData(opts);
      return { data, markdown: dataMarkdown(data) };
    },
  },
  sort: {
    describe: '1 GiB (--quick 64 MiB; --bytes=SIZE) of 100-byte records sorted into R parts (--reducers=R, default one per 8 MiB) by a --sort-by job, beside GNU sort --parallel=2 and DuckDB ORDER BY on the same bytes, with what the shuffle moved through the store',
    async run(opts) {
      const data = await benchSort(opts);
      return { data, markdown: sortMarkdown(data) };
    },
  },
  'customer-360': {
    describe: 'the 360° customer view (examples/customer-360/: 2,000,000 transactions; --quick 200,000; --transactions=N) as two chained shuffle jobs of the sql kernel beside DuckDB on 1 and 2 threads',
    async run(opts) {
      const data = await benchCustomer360(opts);
      return { data, markdown: customer360Markdown(data) };
    },
  },
  answer: {
    describe: 'a warm 100-ms job, submit → answer through the host client: long-polls on status vs polling every 500 ms',
    async run(opts) {
      const data = await benchAnswer(opts);
      return { data, markdown: answerMarkdown(data) };
    },
  },
};

export const defaultBenchmarks = ['platform', 'pipeline', 'compositions'];

export async function runBench(names: string[], opts: { quick: boolean; publish?: boolean; argv?: string[] }): Promise<void> {
  const selected = names.length > 0 ? names : defaultBenchmarks;
  const resultsDir = opts.publish ? publishedDir : localResultsDir;
  mkdirSync(resultsDir, { recursive: true });
  for (const name of selected) {
    const bench = benchmarks[name];
    if (!bench) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(benchmarks).join(', ')}`);
    console.error(`bench ${name}: ${bench.describe} ...`);
    const { data, markdown } = await bench.run({ quick: opts.quick, argv: opts.argv ?? [], resultsDir });
    console.log(writeReport(resultsDir, name, data, markdown));
    console.error(`bench ${name}: reports in ${relative(process.cwd(), join(resultsDir, name))}.{md,json}${opts.publish ? '' : ' (--publish: into bench/results/)'}`);
  }
}

/** Entry point of `supercompute bench [NAME...] [--quick] [--publish] [--size=BYTES]`. */
export async function main(argv: string[]): Promise<void> {
  await runBench(
    argv.filter((a) => !a.startsWith('--')),
    { quick: argv.includes('--quick'), publish: argv.includes('--publish'), argv: argv.filter((a) => a.startsWith('--')) },
  );
}
