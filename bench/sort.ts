// The classic shuffle benchmark: 100-byte records (a 10-byte key, the rest payload, as in the sort benchmark's ASCII
// records) sorted by key, here as CSV lines the `sql` kernel reads (`key,payload`, 10 + 1 + 88 + 1 bytes a line).
// In one run, on the same bytes:
//  - GNU `sort --parallel=2` (LC_ALL=C: by bytes), file to file; it sorts every line, the CSV's header line with them;
//  - DuckDB on 2 threads: COPY (SELECT * FROM read_csv(file) ORDER BY key) TO a CSV file;
//  - a sort job (`--sort-by key --reducers R --output-format csv`) through the pipeline on the embedded platform, its
//    input in a local S3-compatible store (`supercompute storage`): map tasks sort runs, reducers read key ranges and
//    write R parts; its time from submit to the dataset committed (after a small job of the same kind has started
//    the kernel's containers), then its parts checked: concatenated in order they hold every input line once (an
//    order-free checksum) and their keys never decrease.
// What the shuffle cost comes from the pipeline's own counts (the result's `shuffle`: runs PUT, ranged GETs, bytes).
// `--bytes=SIZE` (or --size; default 1 GiB; --quick 64 MiB), `--chunk-size=SIZE` (default 8 MiB), `--reducers=R`
// (default: one per 8 MiB of input). A task holds its rows in memory as JSON values, several times their CSV bytes:
// 8 MiB a map task and a reducer fits the sql kernel's workers; a 64 MiB map task did not finish on this machine.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startS3Server } from '../host/local/s3-server.ts';
import { ensureRedis } from '../host/local/redis-server.ts';
import { formatByteSize, parseByteSize } from '../pipeline/data/byte-size.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { reduceJobIdOf } from '../pipeline/shuffle/spec.ts';
import type { StoreCounts } from '../pipeline/shuffle/store-objects.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine } from './stats.ts';
import { treeCpuMs } from './process-cpu.ts';
import { storeFile, withEnv } from './local-store.ts';

const log = (line: string) => console.error(`  sort: ${line}`);

const BUCKET = 'bench';
const INPUT_KEY = 'sort/records.csv';
const WARM_KEY = 'warm/records.csv';
const OUTPUT_PREFIX = 'sorted/';
const RECORD_BYTES = 100;
const KEY_BYTES = 10;
const HEADER = 'key,payload\n';
const MB = 1e6;
/** Input bytes per map task and per reducer by default. */
const PER_TASK_BYTES = 8 * 2 ** 20;
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface SortBenchResult {
  machine: string;
  /** The load average (1 min) when the run started and ended: what else the cores were doing. */
  loadAverage: [number, number];
  quick: boolean;
  bytes: number;
  records: number;
  reducers: number;
  chunkSize: string;
  ms: { gnuSort: number; duckdb: number; job: number };
  cpuMs: { gnuSort: number; duckdb: number; job: number };
  mbps: { gnuSort: number; duckdb: number; job: number };
  /** The job's stages: map (submit → its last map task done), reduce (its reduce stage's own time), ms. */
  jobStages: { mapMs: number; reduceMs: number };
  tasks: { map: number; reduce: number; workers: number };
  /** What the shuffle moved through the store (the pipeline's counts), and per GiB of input. */
  shuffle: StoreCounts;
  perGiB: { puts: number; gets: number; bytesWritten: number; bytesRead: number };
  /** Rows of each part, in order. */
  partRows: number[];
  /** The parts hold every input record once, in key order. */
  exact: boolean;
}

function option(argv: string[], name: string): string | undefined {
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** A deterministic PRNG (mulberry32): the same records for the same size. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` records of 100 bytes, after the header line, in chunks of about 1 MiB. */
export function* recordChunks(count: number, seed = 1): Generator<Buffer> {
  const next = random(seed);
  const perChunk = 10_000;
  yield Buffer.from(HEADER);
  for (let start = 0; start < count; start += perChunk) {
    const n = Math.min(perChunk, count - start);
    const chunk = Buffer.alloc(n * RECORD_BYTES);
    for (let i = 0; i < n; i++) {
      const at = i * RECORD_BYTES;
      for (let k = 0; k < KEY_BYTES; k++) chunk[at + k] = KEY_ALPHABET.charCodeAt(Math.floor(next() * KEY_ALPHABET.length));
      chunk[at + KEY_BYTES] = 0x2c; // ','
      // Payload: 'r', the record's number (12 digits), then filler letters from it: 88 bytes in all.
      const payload = `r${String(start + i).padStart(12, '0')}`;
      chunk.write(payload, at + KEY_BYTES + 1, 'latin1');
      for (let p = payload.length; p < RECORD_BYTES - KEY_BYTES - 2; p++) chunk[at + KEY_BYTES + 1 + p] = 0x41 + ((start + i + p) % 26);
      chunk[at + RECORD_BYTES - 1] = 0x0a;
    }
    yield chunk;
  }
}

/** An order-free checksum of lines: each line's FNV-1a hash, summed mod 2^48. */
function lineHash(line: Buffer | string): number {
  let h = 0x811c9dc5;
  const b = typeof line === 'string' ? Buffer.from(line, 'latin1') : line;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}
const MOD = 2 ** 48;

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.trim()}`))));
  });
}

/** Lines of a stream, as latin1 strings (the records are ASCII). */
async function* lines(stream: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + Buffer.from(chunk).toString('latin1');
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      rest = text;
      continue;
    }
    for (const line of text.slice(0, cut).split('\n')) yield line;
    rest = text.slice(cut + 1);
  }
  if (rest !== '') yield rest;
}

/** Reads the parts in order: their records' checksum and count, whether the keys never decrease, rows per part. */
async function checkParts(client: S3Client): Promise<{ hash: number; records: number; sorted: boolean; partRows: number[] }> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${OUTPUT_PREFIX}part-` }));
  const keys = (listed.Contents ?? []).map((c) => c.Key!).sort();
  let hash = 0;
  let records = 0;
  let sorted = true;
  let last = '';
  const partRows: number[] = [];
  for (const key of keys) {
    const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    let first = true;
    let n = 0;
    for await (const line of lines(answer.Body as AsyncIterable<Uint8Array>)) {
      if (first) {
        first = false;
        continue; // each part's header
      }
      hash = (hash + lineHash(line)) % MOD;
      records++;
      n++;
      const k = line.slice(0, KEY_BYTES);
      if (k < last) sorted = false;
      last = k;
    }
    partRows.push(n);
  }
  return { hash, records, sorted, partRows };
}

async function inputHash(path: string): Promise<number> {
  let hash = 0;
  let first = true;
  for await (const line of lines(createReadStream(path, { highWaterMark: 2 ** 20 }) as AsyncIterable<Buffer>)) {
    if (first) {
      first = false;
      continue;
    }
    hash = (hash + lineHash(line)) % MOD;
  }
  return hash;
}

/** CPU ms of this process's children that have ended and been waited for (GNU sort), from /proc. */
function endedChildrenCpuMs(): number {
  try {
    const text = readFileSync('/proc/self/stat', 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** CPU of this process, its running descendants and its ended children. */
const cpuNow = () => treeCpuMs() + endedChildrenCpuMs();

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const cpu = cpuNow();
  const start = performance.now();
  const value = await f();
  return { ms: performance.now() - start, cpuMs: cpuNow() - cpu, value };
}

async function sortJob(pipe: BenchPipeline, reducers: number, chunkSize: string, inputKey = INPUT_KEY) {
  const submitted = await pipe.jobs.submit({
    kernel: 'sql',
    params: { map: 'SELECT key, payload FROM input' },
    input: `s3://${BUCKET}/${inputKey}`,
    chunkSize,
    sortBy: 'key',
    reducers,
    output: `s3://${BUCKET}/${OUTPUT_PREFIX}`,
    outputFormat: 'csv',
    overwrite: true,
  });
  // The map job's status counts map tasks only; its reduce stage may run for minutes with no change there.
  const st = await pipe.jobs.wait(submitted.jobId, { stallMs: 0, timeoutMs: 60 * 60_000 });
  if (st.state !== 'done') throw new Error(`sort job ${submitted.jobId} ended ${st.state}: ${String(st.error ?? '')}`);
  const stage = await pipe.jobs.status(reduceJobIdOf(submitted.jobId));
  return { submitted, st, stage };
}

export async function benchSort(opts: { quick: boolean; argv?: string[] }): Promise<SortBenchResult> {
  const argv = opts.argv ?? [];
  const given = option(argv, 'bytes') ?? option(argv, 'size');
  const target = given ? parseByteSize(given, '--bytes') : opts.quick ? 64 * 2 ** 20 : 2 ** 30;
  const reducers = Number(option(argv, 'reducers') ?? Math.max(1, Math.round(target / PER_TASK_BYTES)));
  if (!Number.isInteger(reducers) || reducers < 1) throw new Error(`--reducers must be a positive integer, got ${option(argv, 'reducers')}`);
  const chunkSize = option(argv, 'chunk-size') ?? '8MiB';
  const records = Math.max(1, Math.floor((target - HEADER.length) / RECORD_BYTES));
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-sort-'));
  const input = join(dir, 'records.csv');
  const loadStart = loadavg()[0];
  const redis = await ensureRedis();
  const s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  let pipe: BenchPipeline | undefined;
  try {
    const t = performance.now();
    await pipeline(Readable.from(recordChunks(records)), createWriteStream(input));
    const bytes = statSync(input).size;
    const client = await createS3Client(readS3Settings(s3.env));
    await storeFile(client, BUCKET, input, INPUT_KEY);
    const expectedHash = await inputHash(input);
    log(`wrote and stored ${records.toLocaleString('en-US')} records, ${formatByteSize(bytes)}, in ${fmt((performance.now() - t) / 1000, 1)} s`);

    const sortTmp = join(dir, 'sort-tmp');
    mkdirSync(sortTmp, { recursive: true });
    const gnu = await timed(() => runProcess('sort', ['--parallel=2', '-S', '25%', '-T', sortTmp, '-o', join(dir, 'gnu-sorted.csv'), input], { ...process.env, LC_ALL: 'C' }));
    log(`GNU sort --parallel=2: ${fmt(gnu.ms / 1000, 2)} s`);
    rmSync(join(dir, 'gnu-sorted.csv'), { force: true });

    const duck = await timed(async () => {
      const db = await DuckDBInstance.create(':memory:', { threads: '2', temp_directory: join(dir, 'duck-tmp') });
      const connection = await db.connect();
      try {
        await connection.run(`COPY (SELECT * FROM read_csv('${input}') ORDER BY key) TO '${join(dir, 'duck-sorted.csv')}' (HEADER)`);
      } finally {
        connection.closeSync();
        db.closeSync();
      }
    });
    log(`DuckDB ORDER BY, 2 threads: ${fmt(duck.ms / 1000, 2)} s`);
    rmSync(join(dir, 'duck-sorted.csv'), { force: true });

    pipe = await withEnv(s3.env, () => startBenchPipeline({ redisUrl: redis.url, platformDefaults: true }));
    // Warm the sql kernel's containers, as a user's second job finds them: the same job over a small object.
    const warm = join(dir, 'warm.csv');
    await pipeline(Readable.from(recordChunks(20_000, 2)), createWriteStream(warm));
    await storeFile(client, BUCKET, warm, WARM_KEY);
    await sortJob(pipe, reducers, '256KiB', WARM_KEY);
    const job = await timed(() => sortJob(pipe!, reducers, chunkSize));
    const { submitted, st, stage } = job.value;
    log(`sort job (${st.total} map tasks, ${reducers} reducers): ${fmt(job.ms / 1000, 2)} s`);
    const result = st.result as { shuffle: StoreCounts; parts: number; rows: number };
    const check = await checkParts(client);
    const exact = check.sorted && check.records === records && check.hash === expectedHash && result.rows === records;
    log(`parts checked: ${check.records} records, sorted ${check.sorted}, checksum ${check.hash === expectedHash ? 'equal' : 'DIFFERENT'}`);
    if (!exact) throw new Error(`the sort job's parts are not the input sorted (records ${check.records}/${records}, sorted ${check.sorted}, checksum ${check.hash === expectedHash})`);
    const mapEnd = st.timings?.lastWorkerEnd ?? NaN;
    const gib = bytes / 2 ** 30;
    const s = (ms: number) => bytes / MB / (ms / 1000);
    return {
      machine: machine(),
      loadAverage: [loadStart, loadavg()[0]],
      quick: opts.quick,
      bytes,
      records,
      reducers,
      chunkSize,
      ms: { gnuSort: gnu.ms, duckdb: duck.ms, job: job.ms },
      cpuMs: { gnuSort: gnu.cpuMs, duckdb: duck.cpuMs, job: job.cpuMs },
      mbps: { gnuSort: s(gnu.ms), duckdb: s(duck.ms), job: s(job.ms) },
      jobStages: { mapMs: mapEnd - (st.timings?.jobStart ?? NaN), reduceMs: stage.timings?.elapsedMs ?? NaN },
      tasks: { map: st.total, reduce: stage.total, workers: submitted.workers ?? NaN },
      shuffle: result.shuffle,
      perGiB: { puts: result.shuffle.puts / gib, gets: result.shuffle.gets / gib, bytesWritten: result.shuffle.bytesWritten / gib, bytesRead: result.shuffle.bytesRead / gib },
      partRows: check.partRows,
      exact,
    };
  } finally {
    await pipe?.stop();
    await s3.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function sortMarkdown(r: SortBenchResult): string {
  const row = (what: string, k: keyof SortBenchResult['ms']) =>
    `| ${what} | ${fmt(r.ms[k] / 1000, 2)} | ${fmt(r.mbps[k], 1)} | ${fmt(r.ms[k] / r.ms.gnuSort)} | ${fmt(r.ms[k] / r.ms.duckdb)} | ${fmt(r.cpuMs[k] / 1000, 1)} |`;
  const mib = (n: number) => fmt(n / 2 ** 20, 1);
  const balance = Math.max(...r.partRows) / (r.records / r.reducers);
  return [
    `# Sort: ${fmt(r.bytes / 2 ** 30, 3)} GiB of 100-byte records into ${r.reducers} sorted parts`,
    '',
    `Machine: ${r.machine}${r.quick ? ' (--quick)' : ''}; load average ${fmt(r.loadAverage[0])} at the start, ${fmt(r.loadAverage[1])} at the end. ${r.records.toLocaleString('en-US')} records (10-byte key, 88-byte payload, as CSV lines \`key,payload\`), ${r.bytes.toLocaleString('en-US')} bytes, one run of each. The job: the \`sql\` kernel (\`SELECT key, payload FROM input\`), \`--sort-by key --reducers ${r.reducers} --output-format csv\`, chunks of ${r.chunkSize} (${r.tasks.map} map tasks, ${r.tasks.workers} workers planned), its input and output in a local s3rver on the same machine; its time from submit to the dataset committed, after a small job of the same kind has started the kernel's containers. CPU time is this process's and its children's (the platform's containers, the storage server).`,
    '',
    '| | time (s) | MB/s | × GNU sort | × DuckDB | CPU (s) |',
    '|---|---|---|---|---|---|',
    row('GNU `sort --parallel=2` (LC_ALL=C), file to file', 'gnuSort'),
    row("DuckDB, 2 threads: `COPY (SELECT * FROM read_csv(…) ORDER BY key) TO '…csv'`", 'duckdb'),
    row(`sort job, ${r.tasks.map} map tasks → ${r.reducers} reducers`, 'job'),
    '',
    `The job's stages: map (submit → last map task done) ${fmt(r.jobStages.mapMs / 1000, 2)} s; reduce stage ${fmt(r.jobStages.reduceMs / 1000, 2)} s. Parts checked: every record once, keys in order across the parts: ${r.exact ? 'yes' : 'no'}. Rows per part: ${Math.min(...r.partRows).toLocaleString('en-US')} to ${Math.max(...r.partRows).toLocaleString('en-US')} (the largest ${fmt(balance)}× an even share; each part's count in the JSON report).`,
    '',
    'What the shuffle moved through the store (the pipeline\'s counts; input reads and the parts\' own writes not included):',
    '',
    '| | this run | per GiB of input |',
    '|---|---|---|',
    `| PUTs (one sorted run per map task) | ${r.shuffle.puts} | ${fmt(r.perGiB.puts, 1)} |`,
    `| GETs (one ranged GET per run per reducer, where the range holds rows) | ${r.shuffle.gets} | ${fmt(r.perGiB.gets, 1)} |`,
    `| MiB written | ${mib(r.shuffle.bytesWritten)} | ${mib(r.perGiB.bytesWritten)} |`,
    `| MiB read | ${mib(r.shuffle.bytesRead)} | ${mib(r.perGiB.bytesRead)} |`,
    '',
    'MB = 10^6 bytes. The runs are JSON lines (`["key","payload"]`), so a record moves as about 120 bytes; a reducer reads a little past its key range in each run (the run\'s index has one entry per 1/256 or finer of it).',
    '',
  ].join('\n');
}
