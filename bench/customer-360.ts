// The 360° view (examples/customer-360/) as a user builds it, beside DuckDB doing the same on the local files: a bank
// generated (2,000,000 transactions by default; --quick 200,000; --transactions=N, the other tables in proportion),
// its five CSV files stored in a local S3-compatible server (`supercompute storage`), the pipeline deployed from the
// shipped manifest with the AWS_* variables of that server, and in rounds, the order rotating:
//  - DuckDB (the reference engine) on 1 thread and on 2, the example's one-query reference over the local files;
//  - the example's two chained shuffle jobs of the `sql` kernel (spend by account, then the profile by customer), the
//    default plan, the example's 16 MiB chunks and 4 reducers; their time is the two jobs' own (each start → result stored) added, and
//    beside it the wall time from the first submit to the second's answer. Every round's profile dataset is read back
//    by its manifest and must equal DuckDB's rows exactly.
// Input MB/s is the five files' bytes over the time. Everything lives in a temporary folder removed at the end.
import { isDeepStrictEqual } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server } from '../host/local/s3-server.ts';
import { ensureRedis } from '../host/local/redis-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { generateCustomer360, type Sizes } from '../examples/customer-360/generate.ts';
import { DEFAULT_CHUNK_SIZE, profileJob, spendJob, type DatasetResult, type SqlShuffleJob } from '../examples/customer-360/jobs.ts';
import { duckdbProfile, readProfileParts } from '../examples/customer-360/duckdb.ts';
import { downloadDataset, uploadTables } from '../examples/customer-360/store.ts';
import { reduceJobIdOf } from '../pipeline/shuffle/spec.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine, median } from './stats.ts';
import { treeCpuMs } from './process-cpu.ts';
import { withEnv } from './local-store.ts';

const log = (line: string) => console.error(`  customer-360: ${line}`);

const BUCKET = 'bench';
const DATA = `s3://${BUCKET}/bank/`;
const OUTPUT = `s3://${BUCKET}/c360/`;
const REDUCERS = 4;
const MB = 1e6;

type Step = 'duckdb1' | 'duckdb2' | 'jobs';
const STEPS: Step[] = ['duckdb1', 'duckdb2', 'jobs'];

interface JobFigures {
  /** The job's own time (start → result stored), ms. */
  ms: number;
  /** Its map stage (start → last map task done) and its reduce stage (that stage's own time), ms. */
  mapMs: number;
  reduceMs: number;
  tasks: number;
  workers: number;
  result: DatasetResult;
}

export interface Customer360BenchResult {
  machine: string;
  /** The 1-, 5- and 15-minute load averages before and after the rounds. */
  load: { before: number[]; after: number[] };
  quick: boolean;
  reps: number;
  sizes: Sizes;
  inputBytes: number;
  reducers: number;
  /** ms per round, each step (jobs: the two jobs' own times added). */
  ms: Record<Step, number[]>;
  /** The two jobs, submit of the first → answer of the second, ms per round. */
  jobsWallMs: number[];
  /** CPU ms per round, each step: this process and its children (the platform's containers, the storage server). */
  cpuMs: Record<Step, number[]>;
  /** Input MB per second (medians), each step. */
  mbps: Record<Step, number>;
  /** The jobs' time over DuckDB's, 1 and 2 threads (above 1: slower). */
  vsDuckdb1: number;
  vsDuckdb2: number;
  /** The last round's jobs: their times, sizing and what each shuffle moved. */
  spend: JobFigures;
  profile: JobFigures;
  /** Every round's profile equalled DuckDB's rows exactly. */
  exact: boolean;
}

function sizesFor(argv: string[], quick: boolean): Sizes {
  const given = argv.find((a) => a.startsWith('--transactions='));
  const transactions = given ? Number(given.slice('--transactions='.length).replaceAll('_', '')) : quick ? 200_000 : 2_000_000;
  if (!Number.isSafeInteger(transactions) || transactions < 1000) throw new Error(`--transactions must be a whole number ≥ 1000, got ${given}`);
  const per = (n: number) => Math.max(1, Math.floor(transactions / n));
  return { customers: per(50), accounts: per(25), transactions, claims: per(100), contacts: per(10) };
}

async function runJob(pipe: BenchPipeline, job: SqlShuffleJob): Promise<JobFigures> {
  const { params, ...fields } = job;
  const submitted = await pipe.jobs.submit({ kernel: 'sql', params, ...fields });
  const st = await pipe.jobs.wait(submitted.jobId, {});
  if (st.state !== 'done') throw new Error(`job ${submitted.jobId} (${job.output}) ended ${st.state}: ${String(st.error ?? '')}`);
  const stage = await pipe.jobs.status(reduceJobIdOf(submitted.jobId)).catch(() => undefined);
  const t = st.timings;
  return {
    ms: t?.elapsedMs ?? NaN,
    mapMs: (t?.lastWorkerEnd ?? NaN) - (t?.jobStart ?? NaN),
    reduceMs: stage?.timings?.elapsedMs ?? NaN,
    tasks: st.total,
    workers: submitted.workers ?? NaN,
    result: st.result as DatasetResult,
  };
}

export async function benchCustomer360(opts: { quick: boolean; argv?: string[] }): Promise<Customer360BenchResult> {
  const quick = opts.quick;
  const reps = quick ? 2 : 3;
  const sizes = sizesFor(opts.argv ?? [], quick);
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-c360-'));
  const redis = await ensureRedis();
  const s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  let pipe: BenchPipeline | undefined;
  try {
    const t = performance.now();
    const generated = await generateCustomer360(join(dir, 'bank'), sizes, 1);
    const client = await createS3Client(readS3Settings(s3.env));
    await uploadTables(client, DATA, generated.files);
    log(`wrote and stored ${fmt(generated.bytes / MB, 1)} MB (${sizes.transactions.toLocaleString('en-US')} transactions) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    pipe = await withEnv(s3.env, () => startBenchPipeline({ redisUrl: redis.url, platformDefaults: true }));
    const jobs = { data: DATA, output: OUTPUT, reducers: REDUCERS };
    const runJobs = async () => {
      const start = performance.now();
      const spend = await runJob(pipe!, spendJob(jobs));
      const profile = await runJob(pipe!, profileJob(jobs));
      return { spend, profile, wallMs: performance.now() - start };
    };
    // Warm the workers' containers (each unpacks DuckDB once), as a user's second build finds them.
    await runJobs();

    const reference = (await duckdbProfile(generated.files, 2)).rows;
    const r: Customer360BenchResult = {
      machine: machine(),
      load: { before: loadavg(), after: [] },
      quick,
      reps,
      sizes,
      inputBytes: generated.bytes,
      reducers: REDUCERS,
      ms: { duckdb1: [], duckdb2: [], jobs: [] },
      jobsWallMs: [],
      cpuMs: { duckdb1: [], duckdb2: [], jobs: [] },
      mbps: { duckdb1: NaN, duckdb2: NaN, jobs: NaN },
      vsDuckdb1: NaN,
      vsDuckdb2: NaN,
      spend: undefined as unknown as JobFigures,
      profile: undefined as unknown as JobFigures,
      exact: true,
    };
    for (let round = 0; round < reps; round++) {
      const run: Record<Step, () => Promise<void>> = {
        duckdb1: async () => void r.ms.duckdb1.push((await duckdbProfile(generated.files, 1)).ms),
        duckdb2: async () => void r.ms.duckdb2.push((await duckdbProfile(generated.files, 2)).ms),
        jobs: async () => {
          const { spend, profile, wallMs } = await runJobs();
          r.ms.jobs.push(spend.ms + profile.ms);
          r.jobsWallMs.push(wallMs);
          r.spend = spend;
          r.profile = profile;
        },
      };
      const order = STEPS.map((_, i) => STEPS[(i + round) % STEPS.length]);
      for (const step of order) {
        const cpu = treeCpuMs();
        await run[step]();
        r.cpuMs[step].push(treeCpuMs() - cpu);
      }
      const roundDir = mkdtempSync(join(dir, 'profile-'));
      const { manifest, paths } = await downloadDataset(client, r.profile.result.dataset, roundDir);
      if (!isDeepStrictEqual(await readProfileParts(paths, manifest.format), reference)) {
        r.exact = false;
        throw new Error(`round ${round + 1}: the profile dataset differs from DuckDB's rows`);
      }
      log(`round ${round + 1}: ${STEPS.map((s) => `${s} ${fmt(r.ms[s].at(-1)! / 1000, 2)} s`).join(', ')} (jobs wall ${fmt(r.jobsWallMs.at(-1)! / 1000, 2)} s); profile equal to DuckDB's`);
    }
    r.load.after = loadavg();
    for (const step of STEPS) r.mbps[step] = r.inputBytes / MB / (median(r.ms[step]) / 1000);
    r.vsDuckdb1 = median(r.ms.jobs) / median(r.ms.duckdb1);
    r.vsDuckdb2 = median(r.ms.jobs) / median(r.ms.duckdb2);
    return r;
  } finally {
    await pipe?.stop();
    await s3.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function customer360Markdown(r: Customer360BenchResult): string {
  const s = (ms: number[]) => ms.map((x) => fmt(x / 1000, 2)).join(', ');
  const row = (step: Step, what: string) =>
    `| ${what} | ${fmt(median(r.ms[step]) / 1000, 2)} | ${fmt(r.mbps[step], 1)} | ${fmt(median(r.ms[step]) / median(r.ms.duckdb1))} | ${fmt(median(r.cpuMs[step]) / 1000, 2)} | ${s(r.ms[step])} |`;
  const shuffle = (j: JobFigures) =>
    `${j.result.shuffle.puts} PUTs / ${j.result.shuffle.gets} GETs, ${fmt(j.result.shuffle.bytesWritten / MB, 1)} MB written and ${fmt(j.result.shuffle.bytesRead / MB, 1)} MB read`;
  const load = (l: number[]) => l.map((x) => fmt(x, 1)).join(' / ');
  return [
    `# The 360° customer view beside DuckDB: ${fmt(r.inputBytes / MB, 1)} MB of CSV, ${r.sizes.customers.toLocaleString('en-US')} profiles`,
    '',
    `Machine: ${r.machine}${r.quick ? ' (--quick)' : ''}; load average (1 / 5 / 15 min) ${load(r.load.before)} before the rounds, ${load(r.load.after)} after. A local s3rver (\`supercompute storage\`) in the benchmark's process holding the five CSV files (examples/customer-360/generate.ts, seed 1: ${Object.entries(r.sizes).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}), the shipped manifest on the embedded platform, the example's two shuffle jobs of the \`sql\` kernel on the default plan with ${r.reducers} reducers; DuckDB (@duckdb/node-api) running the example's one-query reference over the same files on the local disk. ${r.reps} rounds after a warm-up build, the order rotating, medians. Input MB/s: the five files' ${r.inputBytes.toLocaleString('en-US')} bytes over the time.`,
    '',
    '| | median (s) | input MB/s | × DuckDB 1 thread (time) | CPU (s) | rounds (s) |',
    '|---|---|---|---|---|---|',
    row('duckdb1', "DuckDB, 1 thread (the query's own time)"),
    row('duckdb2', 'DuckDB, 2 threads'),
    row('jobs', `the two jobs (spend ${r.spend.tasks} map tasks, profile ${r.profile.tasks}; ${r.spend.workers} workers), their own times added`),
    '',
    `The jobs took **${fmt(r.vsDuckdb1)}×** DuckDB's time on 1 thread and ${fmt(r.vsDuckdb2)}× its time on 2; from the first submit to the second answer, ${s(r.jobsWallMs)} s. Every round's profile dataset (read back by its \`_manifest.json\`) equalled DuckDB's rows exactly: ${r.exact ? 'yes' : 'no'}.`,
    '',
    `Last round: spend by account ${fmt(r.spend.ms / 1000, 2)} s (map stage ${fmt(r.spend.mapMs / 1000, 2)} s, reduce stage ${fmt(r.spend.reduceMs / 1000, 2)} s; ${r.spend.result.rows.toLocaleString('en-US')} rows in ${r.spend.result.parts} parts; shuffle ${shuffle(r.spend)}); the profile by customer ${fmt(r.profile.ms / 1000, 2)} s (map stage ${fmt(r.profile.mapMs / 1000, 2)} s, reduce stage ${fmt(r.profile.reduceMs / 1000, 2)} s; ${r.profile.result.rows.toLocaleString('en-US')} rows in ${r.profile.result.parts} parts; shuffle ${shuffle(r.profile)}).`,
    '',
    'MB = 10^6 bytes. CPU time is this process\'s and its children\'s, from /proc (DuckDB runs in this process; a job in the platform\'s containers, the controller and the storage server in this process). The store is on the same machine, so the figures say what the shuffle costs beside the compute here, not what S3 gives.',
    '',
  ].join('\n');
}
