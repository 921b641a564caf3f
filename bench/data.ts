// A job over your own data beside the reference engine, as a user runs one: a local S3-compatible server
// (`supercompute storage`), the pipeline deployed from the shipped manifest with the AWS_* variables that server prints
// (`supercompute deploy`), a CSV of transactions (examples/transactions/generate.ts, 256 MiB by default, 32 MiB with
// --quick, --size=BYTES to choose) written to a local file, the same rows as a Parquet file of several row groups
// (written by DuckDB: COPY … (FORMAT parquet, ROW_GROUP_SIZE …)), both stored in the server, and the `aggregate`
// example kernel deployed as a user's. In rounds, the order rotating so that a busy moment of the machine hits each
// alike:
//  - DuckDB (a devDependency, the reference engine) on 1 thread and on 2, over the local CSV and the local Parquet
//    file: the query's own time;
//  - `aggregate` over the CSV, and the built-in `sql` kernel (the same aggregation as a map and a reduce query,
//    examples/transactions/sql.ts) over the CSV and over the Parquet file, each on 1 worker (`--workers 1`) and on the
//    default plan (neither `--workers` nor `--tasks`). The CSV jobs take the default chunk size (8 MiB with --quick, so
//    that the small object is still cut into several tasks); the Parquet jobs a chunk size that cuts the Parquet file
//    into as many tasks as the CSV (by row groups). A job's time is its own (start → result stored); its result must
//    equal DuckDB's exactly. The storage server runs in this process, so this process's CPU time during a job is what
//    serving the job's reads cost the shared cores;
//  - reads alone, nothing computed: the CSV job's ranged reads through the pipeline's S3 reader (@aws-sdk/client-s3 on
//    the lent transport, each chunk copied as `readRange` gives it)
//    by one reader and by two at once, and the same ranges by plain HTTP GETs (no SDK), in MB/s.
// MB/s are of the CSV's bytes for every row (the same rows, whatever the format), so that rows compare.
// Everything lives in a temporary folder removed at the end; the object is never held whole in memory.
import { DuckDBInstance } from '@duckdb/node-api';
import { isDeepStrictEqual } from 'node:util';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startS3Server } from '../host/local/s3-server.ts';
import { ensureRedis } from '../host/local/redis-server.ts';
import { deployKernel } from '../host/kernels/deploy.ts';
import { parseByteSize, formatByteSize } from '../pipeline/data/byte-size.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import { parseDataInput } from '../pipeline/data/input-spec.ts';
import type { ObjectInfo, ObjectSlice, TaskInput } from '../pipeline/data/objects.ts';
import { parsePartitionBy, partitionObjects } from '../pipeline/data/partition.ts';
import { readChunks } from '../pipeline/data/record-reader.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DEFAULT_CHUNK_SIZE } from '../pipeline/data/job-input.ts';
import { transactionChunks } from '../examples/transactions/generate.ts';
import { duckdbAggregate } from '../examples/transactions/duckdb.ts';
import { AGGREGATE_MAP, AGGREGATE_REDUCE, resultOfGroupingRows } from '../examples/transactions/sql.ts';
import type { AggregateResult } from '../examples/transactions/aggregate.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine, median } from './stats.ts';
import { treeCpuByPid, treeCpuSinceMs } from './process-cpu.ts';
import { storeFile, withEnv } from './local-store.ts';

const log = (line: string) => console.error(`  data: ${line}`);

const BUCKET = 'bench';
const KEY = 'tx/transactions.csv';
const PARQUET_KEY = 'tx/transactions.parquet';
const INPUT = `s3://${BUCKET}/${KEY}`;
const PARQUET_INPUT = `s3://${BUCKET}/${PARQUET_KEY}`;
const MB = 1e6;
/** Row groups per task of the Parquet jobs, at least: each task owns whole row groups. */
const ROW_GROUPS_PER_TASK = 3;
/** About how long a generated row is (generate.ts), for sizing the row groups before the rows are counted. */
const BYTES_PER_ROW = 31;

const DUCKDB_STEPS = ['duckdb1', 'duckdb2', 'duckdbPq1', 'duckdbPq2'] as const;
const JOB_STEPS = ['job1', 'jobDefault', 'sqlCsv1', 'sqlCsvDefault', 'sqlPq1', 'sqlPqDefault'] as const;
type DuckdbStep = (typeof DUCKDB_STEPS)[number];
type JobStep = (typeof JOB_STEPS)[number];
type Step = DuckdbStep | JobStep;
const STEPS: Step[] = ['duckdb1', 'duckdb2', 'job1', 'jobDefault', 'sqlCsv1', 'sqlCsvDefault', 'duckdbPq1', 'duckdbPq2', 'sqlPq1', 'sqlPqDefault'];

/** What each DuckDB step reads and on how many threads. */
const DUCKDB: Record<DuckdbStep, { parquet: boolean; threads: number }> = {
  duckdb1: { parquet: false, threads: 1 },
  duckdb2: { parquet: false, threads: 2 },
  duckdbPq1: { parquet: true, threads: 1 },
  duckdbPq2: { parquet: true, threads: 2 },
};

/** What each job step runs: its kernel over which input, and on one worker or the default plan. */
const JOBS: Record<JobStep, { kernel: 'aggregate' | 'sql'; parquet: boolean; oneWorker: boolean }> = {
  job1: { kernel: 'aggregate', parquet: false, oneWorker: true },
  jobDefault: { kernel: 'aggregate', parquet: false, oneWorker: false },
  sqlCsv1: { kernel: 'sql', parquet: false, oneWorker: true },
  sqlCsvDefault: { kernel: 'sql', parquet: false, oneWorker: false },
  sqlPq1: { kernel: 'sql', parquet: true, oneWorker: true },
  sqlPqDefault: { kernel: 'sql', parquet: true, oneWorker: false },
};

const emptySteps = <T>(make: () => T): Record<Step, T> => Object.fromEntries(STEPS.map((s) => [s, make()])) as Record<Step, T>;
const emptyJobSteps = <T>(make: () => T): Record<JobStep, T> => Object.fromEntries(JOB_STEPS.map((s) => [s, make()])) as Record<JobStep, T>;

export interface DataBenchResult {
  machine: string;
  /** The machine's 1-minute load average at the start of each round (other work on the shared cores included). */
  load: number[];
  quick: boolean;
  reps: number;
  /** The CSV's bytes: every row's MB/s is of these. */
  objectBytes: number;
  parquetBytes: number;
  parquetRowGroups: number;
  rows: number;
  chunkSize: string;
  /** The Parquet jobs' chunk size: as many tasks as the CSV's. */
  parquetChunkSize: string;
  /** Each job step's tasks and workers. */
  plans: Record<JobStep, { tasks: number; workers: number }>;
  /** ms per round, each step. */
  ms: Record<Step, number[]>;
  /**
   * CPU ms per round, each step: this process and its children (DuckDB runs in this process; a job in the platform's
   * containers, its controller and the storage server in this process).
   */
  cpuMs: Record<Step, number[]>;
  /** MB (of the CSV) per CPU second (medians), each step. */
  mbpsCpu: Record<Step, number>;
  /** The storage server's CPU time during each job (this process's: it only waits on the job meanwhile), ms. */
  storageCpuMs: Record<JobStep, number[]>;
  /** Each job: from its start to its first worker's start, and from its last worker's end to its result stored, ms. */
  overheadMs: Record<JobStep, [number, number][]>;
  /** MB/s (10^6 bytes of the CSV) per round, medians below. */
  mbps: Record<Step, number>;
  /** Each step's MB/s over DuckDB's on 1 thread over the same format (CSV or Parquet). */
  vsDuckdb: Record<Step, number>;
  /** job on 1 worker / DuckDB on 1 thread, by MB/s and by MB per CPU second (the `aggregate` example, CSV). */
  oneWorkerVsDuckdb: number;
  oneWorkerVsDuckdbCpu: number;
  /** The default plan's speedup over one worker: aggregate, sql over CSV, sql over Parquet. */
  planSpeedup: { aggregate: number; sqlCsv: number; sqlPq: number };
  /** DuckDB's 2-thread over 1-thread speedup, over the CSV and over the Parquet file. */
  duckdbSpeedup: { csv: number; parquet: number };
  /** MB/s per round: the job's ranges through the S3 reader by 1 reader; by 2 at once (per reader); plain HTTP, 1 reader. */
  sdkOneReaderMBps: number[];
  sdkTwoReadersMBps: number[][];
  httpOneReaderMBps: number[];
  /** Every job's result, and DuckDB's over the Parquet file, equalled DuckDB's over the CSV exactly. */
  exact: boolean;
}

function sizeFrom(argv: string[], quick: boolean): number {
  const given = argv.find((a) => a.startsWith('--size='));
  return given ? parseByteSize(given.slice('--size='.length), '--size') : quick ? 32 * 2 ** 20 : 256 * 2 ** 20;
}

/** The CSV's rows as a Parquet file of row groups of about `rowGroupRows` rows (DuckDB rounds to its vector size). */
async function writeParquet(csv: string, path: string, rowGroupRows: number): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await instance.connect();
    try {
      const quote = (p: string) => `'${p.replaceAll("'", "''")}'`;
      const columns = "{'customer': 'VARCHAR', 'date': 'DATE', 'category': 'VARCHAR', 'amount': 'DECIMAL(18,2)'}";
      await connection.run(`COPY (SELECT * FROM read_csv(${quote(csv)}, header = true, columns = ${columns})) TO ${quote(path)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${rowGroupRows})`);
      const reader = await connection.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata(${quote(path)})`);
      return Number(reader.getRows()[0][0]);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Reads the slices in order through the S3 reader, counting bytes. */
async function readSlices(access: DataAccess, tasks: TaskInput[]): Promise<{ bytes: number; ms: number }> {
  const start = performance.now();
  let bytes = 0;
  for (const task of tasks) for await (const chunk of readChunks(access, task)) bytes += chunk.length;
  return { bytes, ms: performance.now() - start };
}

/** The same ranges by plain HTTP GETs (s3rver serves anonymous reads), no SDK: what the server alone gives. */
async function readSlicesHttp(baseUrl: string, slices: ObjectSlice[]): Promise<{ bytes: number; ms: number }> {
  const start = performance.now();
  let bytes = 0;
  for (const slice of slices) {
    const range = `bytes=${slice.start}-${slice.end === undefined ? '' : slice.end - 1}`;
    bytes += await new Promise<number>((resolve, reject) => {
      httpGet(`${baseUrl}/${BUCKET}/${KEY}`, { headers: { Range: range } }, (res) => {
        let n = 0;
        res.on('data', (chunk: Buffer) => (n += chunk.length));
        res.on('end', () => (res.statusCode === 206 ? resolve(n) : reject(new Error(`plain GET: HTTP ${res.statusCode}`))));
        res.on('error', reject);
      }).on('error', reject);
    });
  }
  return { bytes, ms: performance.now() - start };
}

interface JobRun {
  ms: number;
  /** In the `aggregate` example's form (a `sql` job's rows read back into it). */
  result: AggregateResult;
  tasks: number;
  workers: number;
  storageCpuMs: number;
  overheadMs: [number, number];
}

async function runJob(pipe: BenchPipeline, step: JobStep, chunkSizes: { csv?: string; parquet: string }): Promise<JobRun> {
  const { kernel, parquet, oneWorker } = JOBS[step];
  const chunkSize = parquet ? chunkSizes.parquet : chunkSizes.csv;
  const params = kernel === 'sql' ? { map: AGGREGATE_MAP, reduce: AGGREGATE_REDUCE } : {};
  const cpu = process.cpuUsage();
  const submitted = await pipe.jobs.submit({ kernel, params, input: parquet ? PARQUET_INPUT : INPUT, ...(chunkSize ? { chunkSize } : {}), ...(oneWorker ? { workers: 1 } : {}) });
  const st = await pipe.jobs.wait(submitted.jobId, {});
  const used = process.cpuUsage(cpu);
  if (st.state !== 'done') throw new Error(`${step} (${kernel}) job ${submitted.jobId} ended ${st.state}: ${String(st.error ?? '')}`);
  const t = st.timings;
  const overheadMs: [number, number] = [(t?.firstWorkerStart ?? NaN) - (t?.jobStart ?? NaN), (t?.reduceEnd ?? NaN) - (t?.lastWorkerEnd ?? NaN)];
  const result = kernel === 'sql' ? resultOfGroupingRows((st.result as { rows: unknown[][] }).rows) : (st.result as AggregateResult);
  return { ms: t?.elapsedMs ?? NaN, result, tasks: st.total, workers: submitted.workers ?? NaN, storageCpuMs: (used.user + used.system) / 1000, overheadMs };
}

export async function benchData(opts: { quick: boolean; argv?: string[] }): Promise<DataBenchResult> {
  const quick = opts.quick;
  const reps = quick ? 2 : 5;
  const bytes = sizeFrom(opts.argv ?? [], quick);
  const chunkSize = quick ? '8MiB' : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-data-'));
  const csv = join(dir, 'transactions.csv');
  const parquetFile = join(dir, 'transactions.parquet');
  const redis = await ensureRedis();
  const s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  let pipe: BenchPipeline | undefined;
  try {
    let t = performance.now();
    await pipeline(Readable.from(transactionChunks({ bytes }, 1)), createWriteStream(csv));
    const client = await createS3Client(readS3Settings(s3.env));
    await storeFile(client, BUCKET, csv, KEY);
    const access = new DataAccess({ s3: readS3Settings(s3.env) });
    const [object] = (await access.list(parseDataInput(INPUT))) as [ObjectInfo];
    const slices = partitionObjects([object], parsePartitionBy({ chunkSize: chunkSize ?? DEFAULT_CHUNK_SIZE }));
    const readers = [0, 1].map((w) => slices.filter((_, i) => i % 2 === w));
    log(`wrote and stored ${formatByteSize(bytes)} of CSV (${object.size} bytes) in ${fmt((performance.now() - t) / 1000, 1)} s`);

    // The same rows as Parquet, cut into as many tasks as the CSV, each of several row groups.
    t = performance.now();
    const rowsAbout = (object.size ?? bytes) / BYTES_PER_ROW;
    const rowGroupRows = Math.max(2048, Math.ceil(rowsAbout / (slices.length * ROW_GROUPS_PER_TASK) / 2048) * 2048);
    const parquetRowGroups = await writeParquet(csv, parquetFile, rowGroupRows);
    await storeFile(client, BUCKET, parquetFile, PARQUET_KEY);
    const parquetBytes = statSync(parquetFile).size;
    const parquetChunkSize = String(Math.ceil(parquetBytes / slices.length));
    log(`wrote and stored ${fmt(parquetBytes / 2 ** 20, 1)} MiB of Parquet (${parquetRowGroups} row groups) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const chunkSizes = { ...(chunkSize ? { csv: chunkSize } : {}), parquet: parquetChunkSize };

    pipe = await withEnv(s3.env, () => startBenchPipeline({ redisUrl: redis.url, platformDefaults: true }));
    await deployKernel(pipe.client, 'examples/transactions/kernel.ts');
    // Warm the workers' containers, as a user's second job finds them (the default plan's, and one worker's), of
    // either kernel (`sql`'s over the Parquet file, the shorter).
    for (const step of ['jobDefault', 'job1', 'sqlPqDefault', 'sqlPq1'] as const) await runJob(pipe, step, chunkSizes);

    const r: DataBenchResult = {
      machine: machine(),
      load: [],
      quick,
      reps,
      objectBytes: object.size ?? bytes,
      parquetBytes,
      parquetRowGroups,
      rows: 0,
      chunkSize: chunkSize ?? DEFAULT_CHUNK_SIZE,
      parquetChunkSize: `${fmt(Number(parquetChunkSize) / 2 ** 20, 1)} MiB`,
      plans: emptyJobSteps(() => ({ tasks: 0, workers: 0 })),
      ms: emptySteps(() => []),
      cpuMs: emptySteps(() => []),
      mbpsCpu: emptySteps(() => NaN),
      storageCpuMs: emptyJobSteps(() => []),
      overheadMs: emptyJobSteps(() => []),
      mbps: emptySteps(() => NaN),
      vsDuckdb: emptySteps(() => NaN),
      oneWorkerVsDuckdb: NaN,
      oneWorkerVsDuckdbCpu: NaN,
      planSpeedup: { aggregate: NaN, sqlCsv: NaN, sqlPq: NaN },
      duckdbSpeedup: { csv: NaN, parquet: NaN },
      sdkOneReaderMBps: [],
      sdkTwoReadersMBps: [],
      httpOneReaderMBps: [],
      exact: true,
    };
    const { ms, cpuMs } = r;
    for (let round = 0; round < reps; round++) {
      r.load.push(loadavg()[0]);
      const results = new Map<Step, AggregateResult>();
      const run = async (step: Step): Promise<void> => {
        if (step in DUCKDB) {
          const { parquet, threads } = DUCKDB[step as DuckdbStep];
          const d = await duckdbAggregate(parquet ? parquetFile : csv, threads);
          ms[step].push(d.ms);
          results.set(step, d.result);
          r.rows = d.result.rows;
          return;
        }
        const jobStep = step as JobStep;
        const job = await runJob(pipe!, jobStep, chunkSizes);
        ms[jobStep].push(job.ms);
        r.storageCpuMs[jobStep].push(job.storageCpuMs);
        r.overheadMs[jobStep].push(job.overheadMs);
        r.plans[jobStep] = { tasks: job.tasks, workers: job.workers };
        results.set(jobStep, job.result);
      };
      const order = STEPS.map((_, i) => STEPS[(i + round) % STEPS.length]);
      for (const step of order) {
        const cpu = treeCpuByPid();
        await run(step);
        cpuMs[step].push(treeCpuSinceMs(cpu));
      }
      log(`round ${round + 1} (load ${fmt(r.load.at(-1)!, 1)}): ${STEPS.map((s) => `${s} ${fmt(ms[s].at(-1)! / 1000, 2)} s`).join(', ')}`);
      // DuckDB over the CSV is the reference; every other step must give exactly its answer.
      const differing = STEPS.filter((step) => !isDeepStrictEqual(results.get(step), results.get('duckdb1')));
      if (differing.length > 0) {
        r.exact = false;
        throw new Error(`round ${round + 1}: ${differing.join(', ')} differ from DuckDB's answer over the CSV`);
      }

      const one = await readSlices(access, slices);
      r.sdkOneReaderMBps.push(one.bytes / MB / (one.ms / 1000));
      const two = await Promise.all(readers.map((tasks) => readSlices(access, tasks)));
      r.sdkTwoReadersMBps.push(two.map((x) => x.bytes / MB / (x.ms / 1000)));
      const plain = await readSlicesHttp(s3.url, slices.flatMap((task) => task.slices));
      r.httpOneReaderMBps.push(plain.bytes / MB / (plain.ms / 1000));
      log(
        `reads: S3 reader ${fmt(r.sdkOneReaderMBps.at(-1)!, 0)} MB/s; 2 readers ${r.sdkTwoReadersMBps.at(-1)!.map((x) => fmt(x, 0)).join(' + ')} MB/s; plain HTTP ${fmt(r.httpOneReaderMBps.at(-1)!, 0)} MB/s`,
      );
    }
    for (const step of STEPS) r.mbps[step] = r.objectBytes / MB / (median(ms[step]) / 1000);
    for (const step of STEPS) r.mbpsCpu[step] = r.objectBytes / MB / (median(cpuMs[step]) / 1000);
    const parquetStep = (step: Step) => (step in DUCKDB ? DUCKDB[step as DuckdbStep].parquet : JOBS[step as JobStep].parquet);
    for (const step of STEPS) r.vsDuckdb[step] = r.mbps[step] / r.mbps[parquetStep(step) ? 'duckdbPq1' : 'duckdb1'];
    r.oneWorkerVsDuckdb = r.vsDuckdb.job1;
    r.oneWorkerVsDuckdbCpu = r.mbpsCpu.job1 / r.mbpsCpu.duckdb1;
    const speedup = (one: Step, more: Step) => median(ms[one]) / median(ms[more]);
    r.planSpeedup = { aggregate: speedup('job1', 'jobDefault'), sqlCsv: speedup('sqlCsv1', 'sqlCsvDefault'), sqlPq: speedup('sqlPq1', 'sqlPqDefault') };
    r.duckdbSpeedup = { csv: speedup('duckdb1', 'duckdb2'), parquet: speedup('duckdbPq1', 'duckdbPq2') };
    return r;
  } finally {
    await pipe?.stop();
    await s3.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function dataMarkdown(r: DataBenchResult): string {
  const s = (ms: number[]) => ms.map((x) => fmt(x / 1000, 2)).join(', ');
  const row = (step: Step, what: string) =>
    `| ${what} | ${fmt(median(r.ms[step]) / 1000, 2)} | ${fmt(r.mbps[step], 0)} | ${fmt(r.vsDuckdb[step])} | ${fmt(median(r.cpuMs[step]) / 1000, 2)} | ${fmt(r.mbpsCpu[step], 0)} | ${s(r.ms[step])} |`;
  const plan = (step: JobStep) => (JOBS[step].oneWorker ? `\`--workers 1\` (${r.plans[step].tasks} tasks)` : `the default plan (${r.plans[step].tasks} tasks, ${r.plans[step].workers} workers)`);
  const overheads = (k: JobStep) => r.overheadMs[k].map(([a, b]) => `${fmt(a / 1000)} + ${fmt(b / 1000)}`).join(', ');
  const cpuShare = (k: JobStep) => median(r.storageCpuMs[k].map((cpu, i) => cpu / r.ms[k][i]));
  return [
    `# A job over your own data beside DuckDB: ${fmt(r.objectBytes / 2 ** 20, 1)} MiB of CSV (and the same rows as Parquet) aggregated`,
    '',
    `Machine: ${r.machine}${r.quick ? ' (--quick)' : ''}; 1-minute load average at each round's start: ${r.load.map((x) => fmt(x, 1)).join(', ')} (other work on the same cores included). A local s3rver (\`supercompute storage\`) in the benchmark's process, the shipped manifest on the embedded platform, the \`aggregate\` example (examples/transactions/, reading \`task.batches\`) deployed as a user kernel, and the built-in \`sql\` kernel running the same aggregation as a map and a reduce query (examples/transactions/sql.ts); DuckDB (@duckdb/node-api) reading the same files from the local disk, one pass by grouping sets. CSV: ${r.objectBytes.toLocaleString('en-US')} bytes, ${r.rows.toLocaleString('en-US')} rows, the jobs cut into chunks of ${r.chunkSize}. Parquet: the same rows written by DuckDB (snappy), ${r.parquetBytes.toLocaleString('en-US')} bytes in ${r.parquetRowGroups} row groups, its jobs cut into chunks of ${r.parquetChunkSize} (as many tasks as the CSV's; each task owns whole row groups, the footer read once when the job is created). CPU time is this process's and its children's, from /proc: DuckDB runs in this process, a job in the platform's containers (its controller and the storage server in this process). ${r.reps} rounds, the order rotating, medians.`,
    '',
    'MB/s are of the CSV\'s bytes for every row, Parquet too (the same rows), so that the rows compare; × DuckDB is against DuckDB on one thread over the same format.',
    '',
    '| | median (s) | MB/s | × DuckDB 1 thread | CPU (s) | MB per CPU s | rounds (s) |',
    '|---|---|---|---|---|---|---|',
    row('duckdb1', "DuckDB, CSV, 1 thread (the query's own time)"),
    row('duckdb2', 'DuckDB, CSV, 2 threads'),
    row('job1', `\`aggregate\`, CSV, ${plan('job1')}, the job's own time (start → result stored)`),
    row('jobDefault', `\`aggregate\`, CSV, ${plan('jobDefault')}`),
    row('sqlCsv1', `\`sql\`, CSV, ${plan('sqlCsv1')}`),
    row('sqlCsvDefault', `\`sql\`, CSV, ${plan('sqlCsvDefault')}`),
    row('duckdbPq1', 'DuckDB, Parquet, 1 thread'),
    row('duckdbPq2', 'DuckDB, Parquet, 2 threads'),
    row('sqlPq1', `\`sql\`, Parquet, ${plan('sqlPq1')}`),
    row('sqlPqDefault', `\`sql\`, Parquet, ${plan('sqlPqDefault')}`),
    '',
    `\`aggregate\` on one worker: **${fmt(r.oneWorkerVsDuckdb)}×** DuckDB on one thread by wall time, ${fmt(r.oneWorkerVsDuckdbCpu)}× by CPU time (on a busy machine the wall time of each says also how much of the cores it got: CPU time is the fairer ratio there). \`sql\` on one worker: ${fmt(r.vsDuckdb.sqlCsv1)}× DuckDB over the CSV, ${fmt(r.vsDuckdb.sqlPq1)}× over the Parquet file.`,
    '',
    `The default plan's speedup over one worker: \`aggregate\` **${fmt(r.planSpeedup.aggregate)}×**, \`sql\` over the CSV ${fmt(r.planSpeedup.sqlCsv)}×, over the Parquet file ${fmt(r.planSpeedup.sqlPq)}×; DuckDB's own 2-thread over 1-thread speedup: ${fmt(r.duckdbSpeedup.csv)}× over the CSV (\`aggregate\`'s ratio to it ${fmt(r.planSpeedup.aggregate / r.duckdbSpeedup.csv)}), ${fmt(r.duckdbSpeedup.parquet)}× over the Parquet file. Every job's result, and DuckDB's over the Parquet file, equalled DuckDB's over the CSV exactly: ${r.exact ? 'yes' : 'no'}.`,
    '',
    `The storage server shares the cores: it and the embedded platform's controller (this process) took, of a core, during a job (their CPU time over the job's time, median): ${JOB_STEPS.map((k) => `${k} ${fmt(cpuShare(k))}`).join(', ')}; a job's CPU time above counts them.`,
    '',
    `A job's fixed costs, rounds in order (s): start → first worker running, and last worker done → result stored: ${JOB_STEPS.map((k) => `${k} ${overheads(k)}`).join('; ')}.`,
    '',
    "Reads alone (nothing computed; from the benchmark process, the CSV job's ranges in order):",
    '',
    '| read | median MB/s | rounds (MB/s) |',
    '|---|---|---|',
    `| through the pipeline's S3 reader (@aws-sdk/client-s3 on the lent transport, pinned to the ETag, each chunk copied), one reader | ${fmt(median(r.sdkOneReaderMBps), 0)} | ${r.sdkOneReaderMBps.map((x) => fmt(x, 0)).join(', ')} |`,
    `| the same, two readers at once, per reader | ${fmt(median(r.sdkTwoReadersMBps.flat()), 0)} | ${r.sdkTwoReadersMBps.map((x) => x.map((y) => fmt(y, 0)).join(' + ')).join('; ')} |`,
    `| plain HTTP GETs of the same ranges (node:http, no SDK), one reader | ${fmt(median(r.httpOneReaderMBps), 0)} | ${r.httpOneReaderMBps.map((x) => fmt(x, 0)).join(', ')} |`,
    '',
    'MB = 10^6 bytes. The store is s3rver on the same machine (files on the local disk, Node), so these figures say what the reader costs beside the compute here, not what S3 itself gives.',
    '',
  ].join('\n');
}
