// A job over your own data beside the reference engine, as a user runs one: a local S3-compatible server
// (`supercompute storage`), the pipeline deployed from the shipped manifest with the AWS_* variables that server prints
// (`supercompute deploy`), a CSV of transactions (examples/transactions/generate.ts, 256 MiB by default, 32 MiB with
// --quick, --size=BYTES to choose) written to a local file and stored in the server, and the `aggregate` example kernel
// deployed as a user's. In rounds, the order rotating so that a busy moment of the machine hits each alike:
//  - DuckDB (a devDependency, the reference engine) on 1 thread and on 2, over the local file: the query's own time;
//  - the job on 1 worker (`--workers 1`) and on the default plan (neither `--workers` nor `--tasks`), the default
//    chunk size (8 MiB with --quick, so that the small object is still cut into several tasks); its time is the job's
//    own (start → result stored); its result must equal DuckDB's exactly. The storage server runs in this process, so
//    this process's CPU time during a job is what serving the job's reads cost the shared cores;
//  - reads alone, nothing computed: the job's ranged reads through the pipeline's S3 reader (@aws-sdk/client-s3) by one
//    reader and by two at once, and the same ranges by plain HTTP GETs (no SDK), in MB/s.
// Everything lives in a temporary folder removed at the end; the object is never held whole in memory.
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { isDeepStrictEqual } from 'node:util';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
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
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine, median } from './stats.ts';
import { treeCpuMs } from './process-cpu.ts';

const log = (line: string) => console.error(`  data: ${line}`);

const BUCKET = 'bench';
const KEY = 'tx/transactions.csv';
const INPUT = `s3://${BUCKET}/${KEY}`;
/** Multipart upload parts: the most of the object in memory at once while it is stored. */
const PART_BYTES = 64 * 2 ** 20;
const MB = 1e6;

type Step = 'duckdb1' | 'duckdb2' | 'job1' | 'jobDefault';
const STEPS: Step[] = ['duckdb1', 'duckdb2', 'job1', 'jobDefault'];

export interface DataBenchResult {
  machine: string;
  quick: boolean;
  reps: number;
  objectBytes: number;
  rows: number;
  chunkSize: string;
  /** Tasks and workers of the one-worker job and of the default plan. */
  job1: { tasks: number; workers: number };
  jobDefault: { tasks: number; workers: number };
  /** ms per round, each step. */
  ms: Record<Step, number[]>;
  /**
   * CPU ms per round, each step: this process and its children (DuckDB runs in this process; a job in the platform's
   * containers, its controller and the storage server in this process).
   */
  cpuMs: Record<Step, number[]>;
  /** MB per CPU second (medians), each step. */
  mbpsCpu: Record<Step, number>;
  /** job on 1 worker / DuckDB on 1 thread, by MB per CPU second. */
  oneWorkerVsDuckdbCpu: number;
  /** The storage server's CPU time during each job (this process's: it only waits on the job meanwhile), ms. */
  storageCpuMs: { job1: number[]; jobDefault: number[] };
  /** Each job: from its start to its first worker's start, and from its last worker's end to its result stored, ms. */
  overheadMs: { job1: [number, number][]; jobDefault: [number, number][] };
  /** MB/s (10^6 bytes) per round, medians below. */
  mbps: Record<Step, number>;
  /** job on 1 worker / DuckDB on 1 thread, by MB/s. */
  oneWorkerVsDuckdb: number;
  /** job1 / jobDefault: the default plan's speedup over one worker. */
  planSpeedup: number;
  /** DuckDB's 2-thread over 1-thread speedup. */
  duckdbSpeedup: number;
  /** MB/s per round: the job's ranges through the S3 reader by 1 reader; by 2 at once (per reader); plain HTTP, 1 reader. */
  sdkOneReaderMBps: number[];
  sdkTwoReadersMBps: number[][];
  httpOneReaderMBps: number[];
  /** Every job's result equalled DuckDB's exactly. */
  exact: boolean;
}

function sizeFrom(argv: string[], quick: boolean): number {
  const given = argv.find((a) => a.startsWith('--size='));
  return given ? parseByteSize(given.slice('--size='.length), '--size') : quick ? 32 * 2 ** 20 : 256 * 2 ** 20;
}

/** The local file streamed into the store as a multipart upload: one part in memory at a time. */
async function storeFile(client: S3Client, path: string): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: KEY }));
  const parts: { ETag?: string; PartNumber: number }[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const PartNumber = parts.length + 1;
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: KEY, UploadId, PartNumber, Body: Buffer.concat(pending) }));
    parts.push({ ETag, PartNumber });
    pending = [];
    pendingBytes = 0;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 20 }) as AsyncIterable<Buffer>) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= PART_BYTES) await flush();
  }
  if (pendingBytes > 0) await flush();
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: KEY, UploadId, MultipartUpload: { Parts: parts } }));
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

/** The deployment gets the storage's AWS_* variables as `supercompute deploy` would: from the environment. */
async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

interface JobRun {
  ms: number;
  result: unknown;
  tasks: number;
  workers: number;
  storageCpuMs: number;
  overheadMs: [number, number];
}

async function runJob(pipe: BenchPipeline, chunkSize: string | undefined, workers: number | undefined): Promise<JobRun> {
  const cpu = process.cpuUsage();
  const submitted = await pipe.jobs.submit({ kernel: 'aggregate', params: {}, input: INPUT, ...(chunkSize ? { chunkSize } : {}), ...(workers ? { workers } : {}) });
  const st = await pipe.jobs.wait(submitted.jobId, {});
  const used = process.cpuUsage(cpu);
  if (st.state !== 'done') throw new Error(`aggregate job ${submitted.jobId} ended ${st.state}: ${String(st.error ?? '')}`);
  const t = st.timings;
  const overheadMs: [number, number] = [(t?.firstWorkerStart ?? NaN) - (t?.jobStart ?? NaN), (t?.reduceEnd ?? NaN) - (t?.lastWorkerEnd ?? NaN)];
  return { ms: t?.elapsedMs ?? NaN, result: st.result, tasks: st.total, workers: submitted.workers ?? NaN, storageCpuMs: (used.user + used.system) / 1000, overheadMs };
}

export async function benchData(opts: { quick: boolean; argv?: string[] }): Promise<DataBenchResult> {
  const quick = opts.quick;
  const reps = quick ? 2 : 3;
  const bytes = sizeFrom(opts.argv ?? [], quick);
  const chunkSize = quick ? '8MiB' : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-data-'));
  const csv = join(dir, 'transactions.csv');
  const redis = await ensureRedis();
  const s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  let pipe: BenchPipeline | undefined;
  try {
    let t = performance.now();
    await pipeline(Readable.from(transactionChunks({ bytes }, 1)), createWriteStream(csv));
    const client = await createS3Client(readS3Settings(s3.env));
    await storeFile(client, csv);
    const access = new DataAccess({ s3: readS3Settings(s3.env) });
    const [object] = (await access.list(parseDataInput(INPUT))) as [ObjectInfo];
    log(`wrote and stored ${formatByteSize(bytes)} (${object.size} bytes) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const slices = partitionObjects([object], parsePartitionBy({ chunkSize: chunkSize ?? DEFAULT_CHUNK_SIZE }));
    const readers = [0, 1].map((w) => slices.filter((_, i) => i % 2 === w));

    pipe = await withEnv(s3.env, () => startBenchPipeline({ redisUrl: redis.url, platformDefaults: true }));
    await deployKernel(pipe.client, 'examples/transactions/kernel.ts');
    // Warm the workers' containers, as a user's second job finds them (the default plan's, and one worker's).
    await runJob(pipe, chunkSize, undefined);
    await runJob(pipe, chunkSize, 1);

    const ms: Record<Step, number[]> = { duckdb1: [], duckdb2: [], job1: [], jobDefault: [] };
    const cpuMs: Record<Step, number[]> = { duckdb1: [], duckdb2: [], job1: [], jobDefault: [] };
    const r: DataBenchResult = {
      machine: machine(),
      quick,
      reps,
      objectBytes: object.size ?? bytes,
      rows: 0,
      chunkSize: chunkSize ?? DEFAULT_CHUNK_SIZE,
      job1: { tasks: 0, workers: 1 },
      jobDefault: { tasks: 0, workers: 0 },
      ms,
      cpuMs,
      mbpsCpu: { duckdb1: NaN, duckdb2: NaN, job1: NaN, jobDefault: NaN },
      oneWorkerVsDuckdbCpu: NaN,
      storageCpuMs: { job1: [], jobDefault: [] },
      overheadMs: { job1: [], jobDefault: [] },
      mbps: { duckdb1: NaN, duckdb2: NaN, job1: NaN, jobDefault: NaN },
      oneWorkerVsDuckdb: NaN,
      planSpeedup: NaN,
      duckdbSpeedup: NaN,
      sdkOneReaderMBps: [],
      sdkTwoReadersMBps: [],
      httpOneReaderMBps: [],
      exact: true,
    };
    for (let round = 0; round < reps; round++) {
      let reference: unknown;
      const jobResults: unknown[] = [];
      const run: Record<Step, () => Promise<void>> = {
        duckdb1: async () => {
          const d = await duckdbAggregate(csv, 1);
          ms.duckdb1.push(d.ms);
          reference = JSON.parse(JSON.stringify(d.result));
          r.rows = d.result.rows;
        },
        duckdb2: async () => {
          ms.duckdb2.push((await duckdbAggregate(csv, 2)).ms);
        },
        job1: async () => {
          const job = await runJob(pipe!, chunkSize, 1);
          ms.job1.push(job.ms);
          r.storageCpuMs.job1.push(job.storageCpuMs);
          r.overheadMs.job1.push(job.overheadMs);
          r.job1 = { tasks: job.tasks, workers: job.workers };
          jobResults.push(job.result);
        },
        jobDefault: async () => {
          const job = await runJob(pipe!, chunkSize, undefined);
          ms.jobDefault.push(job.ms);
          r.storageCpuMs.jobDefault.push(job.storageCpuMs);
          r.overheadMs.jobDefault.push(job.overheadMs);
          r.jobDefault = { tasks: job.tasks, workers: job.workers };
          jobResults.push(job.result);
        },
      };
      const order = STEPS.map((_, i) => STEPS[(i + round) % STEPS.length]);
      for (const step of order) {
        const cpu = treeCpuMs();
        await run[step]();
        cpuMs[step].push(treeCpuMs() - cpu);
      }
      log(`round ${round + 1}: ${STEPS.map((s) => `${s} ${fmt(ms[s].at(-1)! / 1000, 2)} s`).join(', ')}`);
      if (!jobResults.every((result) => isDeepStrictEqual(result, reference))) {
        r.exact = false;
        throw new Error(`round ${round}: a job's result differs from DuckDB's`);
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
    r.oneWorkerVsDuckdb = r.mbps.job1 / r.mbps.duckdb1;
    r.oneWorkerVsDuckdbCpu = r.mbpsCpu.job1 / r.mbpsCpu.duckdb1;
    r.planSpeedup = median(ms.job1) / median(ms.jobDefault);
    r.duckdbSpeedup = median(ms.duckdb1) / median(ms.duckdb2);
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
    `| ${what} | ${fmt(median(r.ms[step]) / 1000, 2)} | ${fmt(r.mbps[step], 0)} | ${fmt(r.mbps[step] / r.mbps.duckdb1)} | ${fmt(median(r.cpuMs[step]) / 1000, 2)} | ${fmt(r.mbpsCpu[step], 0)} | ${s(r.ms[step])} |`;
  const overheads = (k: 'job1' | 'jobDefault') => r.overheadMs[k].map(([a, b]) => `${fmt(a / 1000)} + ${fmt(b / 1000)}`).join(', ');
  const cpuShare = (k: 'job1' | 'jobDefault') => median(r.storageCpuMs[k].map((cpu, i) => cpu / r.ms[k][i]));
  return [
    `# A job over your own data beside DuckDB: ${fmt(r.objectBytes / 2 ** 20, 1)} MiB of CSV aggregated`,
    '',
    `Machine: ${r.machine}${r.quick ? ' (--quick)' : ''}. A local s3rver (\`supercompute storage\`) in the benchmark's process, the shipped manifest on the embedded platform, the \`aggregate\` example (examples/transactions/, reading \`task.batches\`) deployed as a user kernel; DuckDB (@duckdb/node-api) reading the same CSV from the local disk, one pass by grouping sets. CPU time is this process's and its children's, from /proc: DuckDB runs in this process, a job in the platform's containers (its controller and the storage server in this process). ${r.objectBytes.toLocaleString('en-US')} bytes, ${r.rows.toLocaleString('en-US')} rows; ${r.reps} rounds, the order rotating, medians.`,
    '',
    '| | median (s) | MB/s | × DuckDB 1 thread | CPU (s) | MB per CPU s | rounds (s) |',
    '|---|---|---|---|---|---|---|',
    row('duckdb1', 'DuckDB, 1 thread (the query\'s own time)'),
    row('duckdb2', 'DuckDB, 2 threads'),
    row('job1', `job, \`--workers 1\` (${r.job1.tasks} tasks of ${r.chunkSize}), the job's own time (start → result stored)`),
    row('jobDefault', `job, the default plan (${r.jobDefault.tasks} tasks, ${r.jobDefault.workers} workers)`),
    '',
    `One worker: **${fmt(r.oneWorkerVsDuckdb)}×** DuckDB on one thread by wall time, ${fmt(r.oneWorkerVsDuckdbCpu)}× by CPU time (on a busy machine the wall time of each says also how much of the cores it got: CPU time is the fairer ratio there).`,
    '',
    `The default plan's speedup over one worker: **${fmt(r.planSpeedup)}×**, against DuckDB's own 2-thread over 1-thread speedup of ${fmt(r.duckdbSpeedup)}× (ratio ${fmt(r.planSpeedup / r.duckdbSpeedup)}). Every job's result equalled DuckDB's exactly: ${r.exact ? 'yes' : 'no'}.`,
    '',
    `The storage server shares the cores: it and the embedded platform's controller (this process) took ${fmt(cpuShare('job1'))} of a core during a job on one worker and ${fmt(cpuShare('jobDefault'))} on the default plan (their CPU time over the job's time, median); a job's CPU time above counts them.`,
    '',
    `A job's fixed costs, rounds in order (s): start → first worker running, and last worker done → result stored: one worker ${overheads('job1')}; the default plan ${overheads('jobDefault')}.`,
    '',
    'Reads alone (nothing computed; from the benchmark process, the job\'s ranges in order):',
    '',
    '| read | median MB/s | rounds (MB/s) |',
    '|---|---|---|',
    `| through the pipeline's S3 reader (@aws-sdk/client-s3, pinned to the ETag), one reader | ${fmt(median(r.sdkOneReaderMBps), 0)} | ${r.sdkOneReaderMBps.map((x) => fmt(x, 0)).join(', ')} |`,
    `| the same, two readers at once, per reader | ${fmt(median(r.sdkTwoReadersMBps.flat()), 0)} | ${r.sdkTwoReadersMBps.map((x) => x.map((y) => fmt(y, 0)).join(' + ')).join('; ')} |`,
    `| plain HTTP GETs of the same ranges (node:http, no SDK), one reader | ${fmt(median(r.httpOneReaderMBps), 0)} | ${r.httpOneReaderMBps.map((x) => fmt(x, 0)).join(', ')} |`,
    '',
    'MB = 10^6 bytes. The store is s3rver on the same machine (files on the local disk, Node), so these figures say what the reader costs beside the compute here, not what S3 itself gives.',
    '',
  ].join('\n');
}
