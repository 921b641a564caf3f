// The built-in `sql` kernel through the deployed pipeline, over S3 objects (a real s3rver): a CSV cut into chunks and
// Parquet files of several row groups (snappy, zstd, gzip) give exactly what DuckDB, run directly here on the same
// files, gives for group-by queries; a bad query is a 400 naming it before the job exists; every way out of the slice
// (files, URLs, extensions, settings) is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { cli } from './cli-helpers.ts';
import { Supercompute } from '../host/library/index.ts';
import { sql } from '../kernels/sql.ts';
import type { ByteReader, ObjectSlice } from '../pipeline/data/objects.ts';
import { ownedLineBytes } from '../kernels/sql/owned-bytes.ts';
import { readSliceRecords } from '../pipeline/data/record-reader.ts';

const DB = 3;
const BUCKET = 'sql';
let dir: string;
let s3: S3Server;
let client: S3Client;
let env: PipelineEnv;
let duck: DuckDBConnection;
let duckdb: DuckDBInstance;

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);

/** DuckDB's own answer, in the result's documented JSON form (integers beyond 2^53 as strings). */
async function direct(query: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const reader = await duck.runAndReadAll(query);
  const integer = reader.columnTypes().map((t) => INTEGER_TYPES.has(t.toString()));
  const rows = (reader.getRowsJson() as unknown[][]).map((row) => row.map((v, i) => (integer[i] && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v)));
  return { columns: reader.columnNames(), rows };
}

async function upload(key: string, file: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: readFileSync(file) }));
}

/** In push mode: a few containers of the push action take every task (each new container unpacks DuckDB). */
const run = (body: Record<string, unknown>) => env.run({ workers: 0, ...body });

/** A refused request: its status and error, and no job left behind (jobs of other files share the database). */
async function refused(params: Record<string, unknown>, input = `s3://${BUCKET}/tx.csv`) {
  const before = await env.jobIdsNaming(`s3://${BUCKET}/`);
  const { status, body } = await env.submit({ kernel: 'sql', params, input, chunkSize: '16KiB' });
  expect(await env.jobIdsNaming(`s3://${BUCKET}/`)).toEqual(before);
  return { status, error: String(body.error) };
}

const SPEND_MAP = `SELECT branch, segment, sum(cents) AS spend, count(*) AS n, min(cents) AS lo, max(cents) AS hi, max(day) AS last_day, sum(amount::DECIMAL(12,2)) AS amount FROM input GROUP BY branch, segment`;
const SPEND_REDUCE = `SELECT branch, segment, sum(spend) AS spend, sum(n) AS n, min(lo) AS lo, max(hi) AS hi, max(last_day) AS last_day, sum(amount) AS amount FROM partials GROUP BY ALL ORDER BY branch, segment`;
const spendOf = (source: string) =>
  `SELECT branch, segment, sum(cents) AS spend, count(*) AS n, min(cents) AS lo, max(cents) AS hi, max(day) AS last_day, sum(amount::DECIMAL(12,2)) AS amount FROM ${source} GROUP BY ALL ORDER BY branch, segment`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-sql-'));
  duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await duckdb.connect();
  const rows = (n: number, seed: number) =>
    `SELECT i AS id, 'branch-' || ((i * ${seed}) % 7) AS branch, CASE WHEN i % 3 = 0 THEN 'gold' WHEN i % 3 = 1 THEN 'silver' ELSE 'basic' END AS segment, ((i * 7919 + ${seed}) % 100003) AS cents, ((i * 7919 + ${seed}) % 100003) / 100 AS amount, DATE '2026-01-01' + ((i * 13) % 330)::INTEGER AS day FROM range(${n}) t(i)`;
  await duck.run(`COPY (${rows(2500, 3)}) TO '${join(dir, 'tx.csv')}' (HEADER)`);
  await duck.run(`COPY (${rows(1200, 5)}) TO '${join(dir, 'a.csv')}' (HEADER)`);
  await duck.run(`COPY (${rows(900, 11)}) TO '${join(dir, 'b.csv')}' (HEADER)`);
  for (const codec of ['snappy', 'zstd', 'gzip']) {
    await duck.run(`COPY (FROM read_csv('${join(dir, 'tx.csv')}')) TO '${join(dir, `tx-${codec}.parquet`)}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 400)`);
  }
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  client = await createS3Client(readS3Settings(s3.env));
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL } = s3.env;
  env = await startPipeline({ db: DB, zippedKernels: true, deployParams: { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL } });
  await upload('tx.csv', join(dir, 'tx.csv'));
  await upload('two/a.csv', join(dir, 'a.csv'));
  await upload('two/b.csv', join(dir, 'b.csv'));
  for (const codec of ['snappy', 'zstd', 'gzip']) await upload(`tx-${codec}.parquet`, join(dir, `tx-${codec}.parquet`));
  await upload('tx-parquet-bytes', join(dir, 'tx-zstd.parquet'));
});

afterAll(async () => {
  await env?.stop();
  await s3?.stop();
  duck?.closeSync();
  duckdb?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sql over data', () => {
  it('a CSV cut into chunks gives DuckDB\'s rows for sum, count, min and max by group', async () => {
    const job = await run({ kernel: 'sql', params: { map: SPEND_MAP, reduce: SPEND_REDUCE }, input: `s3://${BUCKET}/tx.csv`, chunkSize: '16KiB' });
    expect(job.state, job.error).toBe('done');
    expect(job.total).toBeGreaterThan(4);
    expect(job.result).toEqual(await direct(spendOf(`read_csv('${join(dir, 'tx.csv')}')`)));
  });

  it('a prefix of several CSV objects, each with its header, is one table', async () => {
    const job = await run({ kernel: 'sql', params: { map: SPEND_MAP, reduce: SPEND_REDUCE }, input: `s3://${BUCKET}/two/`, chunkSize: '8KiB' });
    expect(job.state, job.error).toBe('done');
    expect(job.result).toEqual(await direct(spendOf(`read_csv(['${join(dir, 'a.csv')}', '${join(dir, 'b.csv')}'])`)));
  });

  it('Parquet files of several row groups (snappy, zstd, gzip) give DuckDB\'s rows, whatever the cut', async () => {
    const expected = await direct(spendOf(`read_parquet('${join(dir, 'tx-zstd.parquet')}')`));
    for (const [codec, chunkSize] of [['snappy', '8KiB'], ['zstd', '20KiB'], ['gzip', '1MiB']] as const) {
      const job = await run({ kernel: 'sql', params: { map: SPEND_MAP, reduce: SPEND_REDUCE }, input: `s3://${BUCKET}/tx-${codec}.parquet`, chunkSize });
      expect(job.state, `${codec}: ${job.error}`).toBe('done');
      expect(job.result, codec).toEqual(expected);
    }
  });

  it('without a reduce query the answer is the union of the tasks\' answers in task order; integers beyond 2^53 are strings', async () => {
    const map = `SELECT id, cents, id * 10000000000000 AS big FROM input WHERE cents % 5 = 0`;
    const job = await run({ kernel: 'sql', params: { map }, input: `s3://${BUCKET}/tx-snappy.parquet`, chunkSize: '8KiB' });
    expect(job.state, job.error).toBe('done');
    const expected = await direct(map.replace('FROM input', `FROM read_parquet('${join(dir, 'tx-snappy.parquet')}')`));
    expect(job.result).toEqual(expected);
    const rows = (job.result as { rows: unknown[][] }).rows;
    expect(rows.some((r) => typeof r[2] === 'string' && BigInt(r[2] as string) > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(rows.some((r) => typeof r[2] === 'number')).toBe(true);
  });

  it('the library runs it: sc.sql(map, { input, reduce }) answers {columns, rows}', async () => {
    const sc = new Supercompute({ apihost: env.platform.url, auth: env.platform.auth });
    const answer = await sc.sql(SPEND_MAP, { input: `s3://${BUCKET}/tx-gzip.parquet`, reduce: SPEND_REDUCE, chunkSize: '16KiB', workers: 0 });
    expect(answer).toEqual(await direct(spendOf(`read_parquet('${join(dir, 'tx-gzip.parquet')}')`)));
  });

  it('the CLI runs it: supercompute run sql --input … -p map=… -p reduce=…', async () => {
    const target = ['--json', '--no-check-redis', '--apihost', env.platform.url, '--auth', env.platform.auth];
    const r = await cli(['run', 'sql', '--input', `s3://${BUCKET}/tx.csv`, '--chunk-size', '32KiB', '--workers', '0', '-p', `map=${SPEND_MAP}`, '-p', `reduce=${SPEND_REDUCE}`, ...target]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'done', result: await direct(spendOf(`read_csv('${join(dir, 'tx.csv')}')`)) });
    // --format names an object Parquet whatever its name.
    const p = await cli(['run', 'sql', '--input', `s3://${BUCKET}/tx-parquet-bytes`, '--format', 'parquet', '--workers', '0', '-p', `map=${SPEND_MAP}`, '-p', `reduce=${SPEND_REDUCE}`, ...target]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ state: 'done', result: await direct(spendOf(`read_parquet('${join(dir, 'tx-zstd.parquet')}')`)) });
  });
});

describe('a task\'s CSV bytes', () => {
  it('are the lines that start in its range, whole: every line once over any cut, as the record reader owns them', async () => {
    const long = 'x'.repeat(150_000);
    const text = Buffer.from(`id,name\r\n1,a\n\n2,${long}\n3,c\r\n4,ü\n\n\n5,${long}\n6,end`);
    const read: ByteReader = {
      async *readRange(s: ObjectSlice) {
        // Small pieces, as a network answers.
        for (let at = s.start; at < (s.end ?? text.length); at += 7001) yield text.subarray(at, Math.min(s.end ?? text.length, at + 7001));
      },
    };
    const header = text.indexOf('\n') + 1;
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let round = 0; round < 40; round++) {
      const cuts = [...new Set(Array.from({ length: 1 + (round % 6) }, () => 1 + (next() % (text.length - 1))))].sort((a, b) => a - b);
      const bounds = [0, ...cuts, text.length];
      const parts: Buffer[] = [];
      for (let i = 0; i + 1 < bounds.length; i++) {
        const slice = { object: 'o', size: text.length, start: bounds[i], end: bounds[i + 1] };
        const bytes: Buffer[] = [];
        for await (const chunk of ownedLineBytes(read, slice, 1)) bytes.push(Buffer.from(chunk));
        const own = Buffer.concat(bytes);
        parts.push(own);
        const records: string[] = [];
        for await (const r of readSliceRecords(read, slice)) records.push(r);
        const lines = own.length === 0 ? [] : own.toString('utf8').replace(/\n$/, '').split('\n').map((l) => l.replace(/\r$/, ''));
        expect(lines, `slice ${slice.start}-${slice.end}`).toEqual(slice.start === 0 ? records.slice(1) : records);
      }
      expect(Buffer.concat(parts).equals(text.subarray(header)), `cuts ${cuts}`).toBe(true);
    }
  });
});

describe('sql refuses', () => {
  it('a bad query with a 400 naming it, before the job exists', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ map: 'SELEC branch FROM input' }, /map: Parser Error: syntax error at or near "SELEC"/],
      [{ map: 'SELECT nope FROM input' }, /map: Binder Error: .*"nope"/],
      [{ map: SPEND_MAP, reduce: 'SELECT branch, sum(missing) FROM partials GROUP BY branch' }, /reduce: Binder Error: .*"missing"/],
      [{ map: 'SELECT branch FROM input', reduce: 'SELEC 1' }, /reduce: Parser Error/],
      [{ map: 'CREATE TABLE t AS SELECT 1' }, /map: only a SELECT query is allowed/],
      [{ map: 'SELECT 1; SELECT 2' }, /map: .*multiple statements/i],
      [{ map: 'SELECT branch, branch FROM input', reduce: 'SELECT * FROM partials' }, /two columns named "branch"/],
      [{ map: "SELECT MAP {'k': 1} AS m FROM input", reduce: 'SELECT * FROM partials' }, /column "m" has type MAP/],
      [{ reduce: 'SELECT 1' }, /field "map".*is required/],
      [{ map: 'SELECT 1', extra: 1 }, /unknown field "extra"/],
    ];
    for (const [params, error] of cases) {
      const r = await refused(params);
      expect(r.status, JSON.stringify(params)).toBe(400);
      expect(r.error, JSON.stringify(params)).toMatch(error);
    }
    expect((await refused({ map: 'SELECT nope FROM input' }, `s3://${BUCKET}/tx-gzip.parquet`)).error).toMatch(/"nope"/);
    expect((await refused({ map: 'SELECT 1 FROM input' }, `s3://${BUCKET}/missing.csv`)).status).toBe(400);
    const notParquet = await refused({ map: 'SELECT 1 FROM input', format: 'parquet' });
    expect(notParquet.status).toBe(400);
    expect(notParquet.error).toMatch(/not a Parquet file/);
  });

  it('every way out of the slice: files, URLs, extensions, settings (map and reduce alike)', async () => {
    for (const [query, error] of ESCAPES) {
      for (const params of [{ map: query }, { map: 'SELECT branch FROM input', reduce: query }]) {
        const r = await refused(params);
        expect(r.status, query).toBe(400);
        expect(r.error, query).toMatch(error);
      }
    }
  });

  it('a task and a reduce lock DuckDB down too: the same escapes, never checked at creation, fail there', async () => {
    const file = readFileSync(join(dir, 'tx.csv'));
    const read: ByteReader = {
      async *readRange(s: ObjectSlice) {
        yield file.subarray(s.start, s.end ?? file.length);
      },
    };
    const object = { object: 's3://sql/tx.csv', start: 0, end: file.length, size: file.length };
    const prepared = sql.parse(await sql.prepare(sql.parse({ map: 'SELECT branch FROM input' }, { input: true }), { object, read }), { input: true });
    const task = { index: 0, count: 1, input: { slices: [object] }, read };
    const partial = await sql.work(prepared, task);
    expect(partial.rows.length).toBe(2500);
    for (const [query, error] of ESCAPES) {
      await expect(sql.work({ ...prepared, map: query }, task), query).rejects.toThrow(error);
      await expect(Promise.resolve(sql.reduce({ ...prepared, reduce: query }, [partial])), query).rejects.toThrow(error);
    }
  });
});

const ESCAPES: Array<[string, RegExp]> = [
  ["SELECT * FROM read_csv('/etc/passwd')", /Permission Error: Cannot access file "\/etc\/passwd"/],
  ["SELECT * FROM read_text('/etc/hostname')", /Permission Error/],
  ["SELECT * FROM glob('/*')", /Permission Error/],
  ["SELECT * FROM read_parquet('/tmp/x.parquet')", /Permission Error/],
  ["COPY (SELECT 1) TO '/tmp/out.csv'", /Permission Error|only a SELECT/],
  ["ATTACH '/tmp/x.duckdb' AS x", /Permission Error|only a SELECT/],
  ["EXPORT DATABASE '/tmp/exported'", /Permission Error|only a SELECT/],
  ['INSTALL httpfs', /Permission Error|only a SELECT/],
  ['LOAD httpfs', /disabled|Permission Error|only a SELECT/],
  ["SELECT * FROM 'https://example.com/data.csv'", /Permission Error/],
  ["SELECT * FROM read_csv('s3://bucket/key.csv')", /Permission Error/],
  ["SELECT getenv('HOME')", /getenv/],
  ['SET enable_external_access = true', /locked|only a SELECT/],
  ['RESET lock_configuration', /locked|only a SELECT/],
  ["SET temp_directory = '/tmp'", /locked|only a SELECT/],
  ["PRAGMA threads = 8", /locked|only a SELECT/],
];

describe('sql fails clearly', () => {
  it('a query that fails on the data fails its task, and the job, with DuckDB\'s message', async () => {
    const job = await run({ kernel: 'sql', params: { map: "SELECT CASE WHEN cents > 99000 THEN error('cents out of range') END FROM input" }, input: `s3://${BUCKET}/tx.csv`, chunkSize: '64KiB' });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/map: .*cents out of range/);
  });
});
