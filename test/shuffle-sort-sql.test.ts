// A sort (`sortBy`) of the `sql` kernel through the deployed pipeline, over a real S3 server: skewed keys (a third of
// the rows share one key, which spans the split points the data would otherwise get), duplicates, NULLs and non-ASCII
// strings, range-partitioned to several reducers. DuckDB's ORDER BY over the same file is the reference: the parts
// read in order (part-00000, part-00001, …) equal its answer row for row, and each part is sorted. Bad requests are
// 400s that leave no job and no object behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { downloadObject, duckRows, listKeys } from './helpers/shuffle-objects.ts';

const DB = 12;
const BUCKET = 'sorts';
let dir: string;
let s3: S3Server;
let client: S3Client;
let env: PipelineEnv;
let duck: DuckDBConnection;
let duckdb: DuckDBInstance;
let events: string;

const keys = (prefix: string): Promise<string[]> => listKeys(client, BUCKET, prefix);

const download = (key: string): Promise<string> => downloadObject(client, BUCKET, key, dir);

const rows = (query: string): Promise<unknown[][]> => duckRows(duck, query);

const list = (paths: string[]) => `[${paths.map((p) => `'${p}'`).join(', ')}]`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-sort-'));
  duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await duckdb.connect();
  events = join(dir, 'events.csv');
  // k: a third of the rows 500, the rest spread and repeated, a few NULL; s: text with accents, a private-use
  // character and emoji (UTF-8 order differs from UTF-16's there); id: unique.
  await duck.run(`COPY (
    SELECT CASE WHEN i % 3 = 0 THEN 500 WHEN i % 97 = 1 THEN NULL ELSE (hash(i) % 1000)::BIGINT END AS k,
           CASE i % 7 WHEN 0 THEN 'é' || (i % 13) WHEN 1 THEN chr(57344) || (i % 5) WHEN 2 THEN '😀' || (i % 3) WHEN 3 THEN NULL ELSE 'w' || (hash(i * 3) % 400) END AS s,
           i AS id,
           round((hash(i * 7) % 100000) / 100.0, 2)::DECIMAL(10,2) AS amount
    FROM range(6000) t(i)) TO '${events}' (HEADER)`);
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  client = await createS3Client(readS3Settings(s3.env));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'events/events.csv', Body: readFileSync(events) }));
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL } = s3.env;
  env = await startPipeline({ db: DB, zippedKernels: true, deployParams: { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL } });
});

afterAll(async () => {
  await env?.stop();
  await s3?.stop();
  duck?.closeSync();
  duckdb?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const MAP = { map: 'SELECT k, s, id, amount FROM input' };

describe('a sort of the sql kernel', () => {
  it('sorts skewed keys with duplicates into 4 Parquet parts whose concatenation is DuckDB\'s ORDER BY', async () => {
    const job = await env.run({ kernel: 'sql', params: MAP, input: `s3://${BUCKET}/events/`, chunkSize: '16KiB', sortBy: 'k', reducers: 4, workers: 3, output: `s3://${BUCKET}/by-k/` });
    expect(job.state, JSON.stringify(job)).toBe('done');
    expect(job.result).toMatchObject({ dataset: `s3://${BUCKET}/by-k/`, sortBy: 'k', format: 'parquet', parts: 4, rows: 6000 });
    expect(await keys('jobs/')).toEqual([]);
    const parts = await Promise.all((await keys('by-k/part-')).map(download));
    expect(parts).toHaveLength(4);
    const inOrder = `SELECT k, s, id, amount, filename FROM read_parquet(${list(parts)}, filename = true, file_row_number = true) ORDER BY filename, file_row_number`;
    // The keys, in part order, are DuckDB's ORDER BY k; equal keys may come in any order, so the rows compare as sets.
    expect((await rows(`SELECT k FROM (${inOrder})`)).map((r) => r[0])).toEqual((await rows(`SELECT k FROM read_csv('${events}') ORDER BY k`)).map((r) => r[0]));
    expect(await rows(`SELECT k, s, id, amount FROM (${inOrder}) ORDER BY id`)).toEqual(await rows(`SELECT k, s, id, amount FROM read_csv('${events}') ORDER BY id`));
    // The heavy key lies in one part, never split across two.
    expect(await rows(`SELECT count(DISTINCT filename)::INTEGER FROM (${inOrder}) WHERE k = 500`)).toEqual([[1]]);
    const manifest = JSON.parse(readFileSync(await download('by-k/_manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ sortBy: 'k', rows: 6000 });
    // A map task writes one run, whatever the reducers.
    expect(job.result.shuffle.puts).toBe(job.total);
  });

  it('sorts by text DESC then an id into 3 CSV parts, equal to DuckDB row for row', async () => {
    const job = await env.run({ kernel: 'sql', params: MAP, input: `s3://${BUCKET}/events/`, chunkSize: '16KiB', sortBy: 's DESC, id', reducers: 3, workers: 2, output: `s3://${BUCKET}/by-s/`, outputFormat: 'csv' });
    expect(job.state, JSON.stringify(job)).toBe('done');
    const parts = await Promise.all((await keys('by-s/part-')).map(download));
    expect(parts).toHaveLength(3);
    // The types the kernel sniffed from the input, as DuckDB reads it below.
    const columns = "{'k': 'BIGINT', 's': 'VARCHAR', 'id': 'BIGINT', 'amount': 'DOUBLE'}";
    // Each part in its own order, sorted by itself; then all of them in part order.
    const inOrder: unknown[][] = [];
    for (const part of parts) {
      const partRows = await rows(`SELECT k, s, id, amount FROM read_csv('${part}', header = true, columns = ${columns})`);
      const sorted = await rows(`SELECT k, s, id, amount FROM read_csv('${part}', header = true, columns = ${columns}) ORDER BY s DESC, id`);
      expect(partRows).toEqual(sorted);
      inOrder.push(...partRows);
    }
    expect(inOrder).toEqual(await rows(`SELECT k, s, id, amount FROM read_csv('${events}') ORDER BY s DESC, id`));
  });

  it('refuses bad sorts with a 400 and leaves nothing behind', async () => {
    const before = await env.jobIds();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ sortBy: 'nope', reducers: 2 }, /map: its answer has no column "nope" to sort by/],
      [{ sortBy: 'k', partitionBy: 'k', reducers: 2 }, /'partitionBy'.*or 'sortBy'.*not both/],
      [{ sortBy: 'k sideways', reducers: 2 }, /'sortBy' must name one or more columns/],
      [{ sortBy: 'k', reducers: 2, params: { ...MAP, reduce: 'SELECT id FROM input' } }, /reduce: its answer has no column "k" to sort by/],
    ];
    for (const [fields, error] of cases) {
      const { status, body } = await env.submit({ kernel: 'sql', params: MAP, input: `s3://${BUCKET}/events/`, chunkSize: '16KiB', ...fields });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(body.error)).toMatch(error);
    }
    expect(await env.jobIds()).toEqual(before);
    expect(await keys('jobs/')).toEqual([]);
  });
});
