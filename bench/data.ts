// A job over your own data, as a user runs one: a local S3-compatible server (`supercompute storage`), the pipeline
// deployed from the shipped manifest with the AWS_* variables that server prints (`supercompute deploy`), a CSV of
// transactions (examples/transactions/generate.ts, 1 GiB by default, 64 MiB with --quick, --size=BYTES to choose)
// streamed into it, and the `aggregate` example kernel deployed as a user's. In alternating rounds:
//  - serial: the kernel's reference, one process streaming a plain GET of the whole object through the same
//    aggregate function;
//  - the job: `aggregate` over the object on 2 workers (`--workers 2`) with the default chunk size (8 MiB with
//    --quick, so that the small object is still cut into several tasks); its time is the job's own (start → result
//    stored); its result must equal the serial one exactly;
//  - reads alone, nothing computed: a plain GET of the whole object, and the job's ranged reads (its slices, each one
//    ranged GET pinned to the ETag) by two readers at once, as the job's two workers read them, in MB/s per reader.
// Everything lives in a temporary folder removed at the end; the object is never held whole in memory.
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { isDeepStrictEqual } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server } from '../host/s3-server.ts';
import { ensureRedis } from '../host/redis-server.ts';
import { deployKernel } from '../host/kernels/deploy.ts';
import { parseByteSize, formatByteSize } from '../pipeline/data/byte-size.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import { parseDataInput } from '../pipeline/data/input-spec.ts';
import type { ObjectInfo, TaskInput } from '../pipeline/data/objects.ts';
import { parsePartitionBy, partitionObjects } from '../pipeline/data/partition.ts';
import { readChunks } from '../pipeline/data/record-reader.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DEFAULT_CHUNK_SIZE, wholeInputOf } from '../pipeline/job/job-input.ts';
import { transactionChunks } from '../examples/transactions/generate.ts';
import aggregate from '../examples/transactions/kernel.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine, median } from './stats.ts';

const log = (line: string) => console.error(`  data: ${line}`);

const BUCKET = 'bench';
const KEY = 'tx/transactions.csv';
const INPUT = `s3://${BUCKET}/${KEY}`;
const WORKERS = 2;
/** Multipart upload parts: the most of the object in memory at once while it is stored. */
const PART_BYTES = 64 * 2 ** 20;
const MB = 1e6;

export interface DataBenchResult {
  machine: string;
  quick: boolean;
  reps: number;
  objectBytes: number;
  rows: number;
  chunkSize: string;
  tasks: number;
  workers: number;
  /** ms per round. */
  serialMs: number[];
  jobMs: number[];
  /** serial / job, medians. */
  speedup: number;
  /** MB/s (10^6 bytes) per round. */
  plainGetMBps: number[];
  /** Each round: the two readers' MB/s. */
  rangedPerReaderMBps: number[][];
  /** The MB/s of all the ranged reads together (bytes over the two readers' wall time). */
  rangedTotalMBps: number[];
  /** Every job's result equalled the serial reference of its round. */
  exact: boolean;
}

function sizeFrom(argv: string[], quick: boolean): number {
  const given = argv.find((a) => a.startsWith('--size='));
  return given ? parseByteSize(given.slice('--size='.length), '--size') : quick ? 64 * 2 ** 20 : 2 ** 30;
}

/** The CSV streamed into the store as a multipart upload: one part in memory at a time. */
async function storeCsv(client: S3Client, bytes: number): Promise<void> {
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
  for (const chunk of transactionChunks({ bytes }, 1)) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= PART_BYTES) await flush();
  }
  if (pendingBytes > 0) await flush();
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: KEY, UploadId, MultipartUpload: { Parts: parts } }));
}

/** Reads the slices in order, counting bytes; answers bytes and ms. */
async function readSlices(access: DataAccess, tasks: TaskInput[]): Promise<{ bytes: number; ms: number }> {
  const start = performance.now();
  let bytes = 0;
  for (const task of tasks) for await (const chunk of readChunks(access, task)) bytes += chunk.length;
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

async function runJob(pipe: BenchPipeline, chunkSize: string): Promise<{ ms: number; result: unknown; total: number }> {
  const { jobId } = await pipe.jobs.submit({ kernel: 'aggregate', params: {}, input: INPUT, chunkSize, workers: WORKERS });
  const st = await pipe.jobs.wait(jobId, {});
  if (st.state !== 'done') throw new Error(`aggregate job ${jobId} ended ${st.state}: ${String(st.error ?? '')}`);
  return { ms: st.timings?.elapsedMs ?? NaN, result: st.result, total: st.total };
}

export async function benchData(opts: { quick: boolean; argv?: string[] }): Promise<DataBenchResult> {
  const quick = opts.quick;
  const reps = quick ? 2 : 3;
  const bytes = sizeFrom(opts.argv ?? [], quick);
  const chunkSize = quick ? '8MiB' : DEFAULT_CHUNK_SIZE;
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-data-'));
  const redis = await ensureRedis();
  const s3 = await startS3Server({ port: 0, directory: dir, buckets: [BUCKET] });
  let pipe: BenchPipeline | undefined;
  try {
    const client = await createS3Client(readS3Settings(s3.env));
    let t = performance.now();
    await storeCsv(client, bytes);
    const access = new DataAccess({ s3: readS3Settings(s3.env) });
    const [object] = (await access.list(parseDataInput(INPUT))) as [ObjectInfo];
    log(`stored ${formatByteSize(bytes)} (${object.size} bytes) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const slices = partitionObjects([object], parsePartitionBy({ chunkSize }));
    // As the job's two workers take them: alternately (the queue hands out tasks in order).
    const readers = [0, 1].map((w) => slices.filter((_, i) => i % WORKERS === w));

    pipe = await withEnv(s3.env, () => startBenchPipeline({ redisUrl: redis.url, platformDefaults: true }));
    await deployKernel(pipe.client, 'examples/transactions/kernel.ts');
    // Warm the workers' containers, as a user's second job finds them.
    await runJob(pipe, chunkSize);

    const r: DataBenchResult = {
      machine: machine(),
      quick,
      reps,
      objectBytes: object.size ?? bytes,
      rows: 0,
      chunkSize,
      tasks: slices.length,
      workers: WORKERS,
      serialMs: [],
      jobMs: [],
      speedup: NaN,
      plainGetMBps: [],
      rangedPerReaderMBps: [],
      rangedTotalMBps: [],
      exact: true,
    };
    for (let round = 0; round < reps; round++) {
      let serial: unknown;
      let jobResult: unknown;
      const steps = [
        async () => {
          t = performance.now();
          serial = await aggregate.reference!({ top: 10 }, await wholeInputOf(INPUT, access));
          r.serialMs.push(performance.now() - t);
          r.rows = (serial as { rows: number }).rows;
          log(`serial: ${fmt(r.serialMs.at(-1)! / 1000, 2)} s`);
        },
        async () => {
          const job = await runJob(pipe!, chunkSize);
          r.jobMs.push(job.ms);
          r.tasks = job.total;
          jobResult = job.result;
          log(`job (${job.total} tasks, ${WORKERS} workers): ${fmt(job.ms / 1000, 2)} s`);
        },
      ];
      // Alternating which goes first, so that a busy moment of the machine hits both alike.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) await steps[i]();
      const same = isDeepStrictEqual(JSON.parse(JSON.stringify(serial)), jobResult);
      if (!same) throw new Error(`round ${round}: the job's result differs from the serial reference`);

      const whole = await readSlices(access, [{ slices: [{ object: object.name, etag: object.etag, size: object.size, start: 0 }] }]);
      r.plainGetMBps.push(whole.bytes / MB / (whole.ms / 1000));
      t = performance.now();
      const ranged = await Promise.all(readers.map((tasks) => readSlices(access, tasks)));
      const wall = performance.now() - t;
      r.rangedPerReaderMBps.push(ranged.map((x) => x.bytes / MB / (x.ms / 1000)));
      r.rangedTotalMBps.push(ranged.reduce((s, x) => s + x.bytes, 0) / MB / (wall / 1000));
      log(`reads: plain GET ${fmt(r.plainGetMBps.at(-1)!, 0)} MB/s; ranged, 2 readers: ${r.rangedPerReaderMBps.at(-1)!.map((x) => fmt(x, 0)).join(', ')} MB/s each`);
    }
    r.speedup = median(r.serialMs) / median(r.jobMs);
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
  const perReader = r.rangedPerReaderMBps.flat();
  return [
    `# A job over your own data: ${fmt(r.objectBytes / 2 ** 20, 1)} MiB of CSV aggregated on ${r.workers} workers vs serially`,
    '',
    `Machine: ${r.machine}${r.quick ? ' (--quick)' : ''}. A local s3rver (\`supercompute storage\`), the shipped manifest on the embedded platform, the \`aggregate\` example (examples/transactions/) deployed as a user kernel. ${r.objectBytes.toLocaleString('en-US')} bytes, ${r.rows.toLocaleString('en-US')} rows; ${r.reps} alternating rounds, medians.`,
    '',
    '| | median (s) | rounds (s) |',
    '|---|---|---|',
    `| serial reference: one process, a plain GET of the whole object streamed through the aggregate function | ${fmt(median(r.serialMs) / 1000, 2)} | ${s(r.serialMs)} |`,
    `| job: \`--input ${INPUT} --chunk-size ${r.chunkSize} --workers ${r.workers}\` (${r.tasks} tasks), the job's own time (start → result stored) | ${fmt(median(r.jobMs) / 1000, 2)} | ${s(r.jobMs)} |`,
    '',
    `Speedup (serial / job): **${fmt(r.speedup)}x** on ${r.workers} workers. Every job's result equalled the serial reference exactly: ${r.exact ? 'yes' : 'no'}.`,
    '',
    'Reads alone (nothing computed; from the benchmark process, through the pipeline\'s S3 reader):',
    '',
    '| read | median MB/s | rounds (MB/s) |',
    '|---|---|---|',
    `| plain GET of the whole object, one reader | ${fmt(median(r.plainGetMBps), 0)} | ${r.plainGetMBps.map((x) => fmt(x, 0)).join(', ')} |`,
    `| the job's ranged GETs (${r.tasks} slices of ${r.chunkSize}, pinned to the ETag), 2 readers at once as the job's 2 workers take them: per reader | ${fmt(median(perReader), 0)} | ${r.rangedPerReaderMBps.map((x) => x.map((y) => fmt(y, 0)).join(' + ')).join('; ')} |`,
    `| the same, both readers together | ${fmt(median(r.rangedTotalMBps), 0)} | ${r.rangedTotalMBps.map((x) => fmt(x, 0)).join(', ')} |`,
    '',
    'MB = 10^6 bytes. The store is s3rver on the same machine (files on the local disk, Node), so these figures say what the reader costs beside the compute here, not what S3 itself gives.',
    '',
  ].join('\n');
}
