// Shuffle jobs of the built-in `sql` kernel through the deployed pipeline, over a real S3 server: two named inputs
// joined by key on 4 reducers into a Parquet dataset, then a second job over that dataset's prefix regrouping it by
// another key on 2 reducers as CSV parts. DuckDB, run here on the same files, is the reference: every row equal, each
// key in exactly one part. Bad requests are 400s that leave no job and no object behind.
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

const DB = 14;
const BUCKET = 'bank';
let dir: string;
let s3: S3Server;
let client: S3Client;
let env: PipelineEnv;
let duck: DuckDBConnection;
let duckdb: DuckDBInstance;

const keys = (prefix: string): Promise<string[]> => listKeys(client, BUCKET, prefix);

const download = (key: string): Promise<string> => downloadObject(client, BUCKET, key, dir);

const rows = (query: string): Promise<unknown[][]> => duckRows(duck, query);

const JOIN = {
  'map.ledger': 'SELECT account, amount_cents FROM ledger',
  'map.accounts': 'SELECT account, customer, segment FROM accounts',
  reduce: 'SELECT a.customer, a.segment, l.account, sum(l.amount_cents) AS s, count(*) AS n FROM ledger l JOIN accounts a USING (account) GROUP BY ALL',
};
const REGROUP = {
  map: 'SELECT segment, customer, s, n FROM input',
  reduce: 'SELECT segment, sum(s) AS s, sum(n) AS n, count(DISTINCT customer) AS customers FROM input GROUP BY segment',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-shuffle-'));
  duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await duckdb.connect();
  await duck.run(`COPY (SELECT (i * 7919) % 900 AS account, ((i * 104729) % 50000) - 1000 AS amount_cents FROM range(6000) t(i)) TO '${join(dir, 'ledger.csv')}' (HEADER)`);
  await duck.run(`COPY (SELECT i AS account, 'c-' || (i % 250) AS customer, CASE WHEN i % 5 = 0 THEN 'gold' WHEN i % 5 < 3 THEN 'silver' ELSE 'basic' END AS segment FROM range(900) t(i)) TO '${join(dir, 'accounts.csv')}' (HEADER)`);
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  client = await createS3Client(readS3Settings(s3.env));
  for (const name of ['ledger', 'accounts']) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${name}/${name}.csv`, Body: readFileSync(join(dir, `${name}.csv`)) }));
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

describe('a shuffle of the sql kernel', () => {
  it('joins two named inputs on 4 reducers, then regroups that dataset on 2 reducers as CSV, equal to DuckDB row for row', async () => {
    const joined = await env.run({
      kernel: 'sql',
      params: JOIN,
      input: [`ledger=s3://${BUCKET}/ledger/`, `accounts=s3://${BUCKET}/accounts/`],
      chunkSize: '16KiB',
      partitionBy: 'account',
      reducers: 4,
      workers: 3,
      output: `s3://${BUCKET}/c360/`,
    });
    expect(joined.state, JSON.stringify(joined)).toBe('done');
    expect(joined.result).toMatchObject({ dataset: `s3://${BUCKET}/c360/`, format: 'parquet', parts: 4 });
    expect(await keys('c360/')).toEqual(['c360/_manifest.json', 'c360/part-00000.parquet', 'c360/part-00001.parquet', 'c360/part-00002.parquet', 'c360/part-00003.parquet']);
    // No map partition or uncommitted attempt is left behind.
    expect(await keys('jobs/')).toEqual([]);

    const ledger = `read_csv('${join(dir, 'ledger.csv')}')`;
    const accounts = `read_csv('${join(dir, 'accounts.csv')}')`;
    // Parquet has no HUGEINT (a sum of BIGINTs): DuckDB writes such a column as DOUBLE, so both sides compare as BIGINT.
    const expected = await rows(`SELECT a.customer, a.segment, l.account, sum(l.amount_cents)::BIGINT AS s, count(*) AS n FROM ${ledger} l JOIN ${accounts} a USING (account) GROUP BY ALL ORDER BY account`);
    const parts = await Promise.all((await keys('c360/part-')).map(download));
    const got = await rows(`SELECT customer, segment, account, s::BIGINT AS s, n FROM read_parquet([${parts.map((p) => `'${p}'`).join(', ')}]) ORDER BY account`);
    expect(got).toEqual(expected);
    expect(joined.result.rows).toBe(expected.length);
    // Each account in exactly one part.
    const spread = await rows(`SELECT account, count(DISTINCT filename) FROM read_parquet([${parts.map((p) => `'${p}'`).join(', ')}], filename = true) GROUP BY account HAVING count(DISTINCT filename) > 1`);
    expect(spread).toEqual([]);
    const manifest = JSON.parse(readFileSync(await download('c360/_manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'parquet', partitionBy: 'account', rows: expected.length, columns: ['customer', 'segment', 'account', 's', 'n'] });

    const regrouped = await env.run({ kernel: 'sql', params: REGROUP, input: `s3://${BUCKET}/c360/`, partitionBy: 'segment', reducers: 2, workers: 2, output: `s3://${BUCKET}/by-segment/`, outputFormat: 'csv' });
    expect(regrouped.state, JSON.stringify(regrouped)).toBe('done');
    const csvParts = await Promise.all((await keys('by-segment/part-')).map(download));
    expect(csvParts).toHaveLength(2);
    const direct = await rows(`SELECT segment, sum(s) AS s, sum(n) AS n, count(DISTINCT customer) AS customers FROM (SELECT a.customer, a.segment, l.account, sum(l.amount_cents) AS s, count(*) AS n FROM ${ledger} l JOIN ${accounts} a USING (account) GROUP BY ALL) GROUP BY segment ORDER BY segment`);
    const fromParts = await rows(`SELECT segment, s, n, customers FROM read_csv([${csvParts.map((p) => `'${p}'`).join(', ')}], header = true, columns = {'segment': 'VARCHAR', 's': 'HUGEINT', 'n': 'BIGINT', 'customers': 'BIGINT'}) ORDER BY segment`);
    expect(fromParts).toEqual(direct);
  });

  it('refuses bad shuffles with a 400 and leaves nothing behind', async () => {
    const before = await env.jobIds();
    const input = [`ledger=s3://${BUCKET}/ledger/`, `accounts=s3://${BUCKET}/accounts/`];
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ reducers: 0, partitionBy: 'account' }, /'reducers' must be an integer between 1/],
      [{ partitionBy: 'customer', reducers: 2 }, /map\.ledger: its answer has no column "customer" to partition by/],
      [{ reducers: 2 }, /'reducers' needs 'partitionBy'/],
      [{ partitionBy: 'account', reducers: 2, output: `s3://${BUCKET}/c360/` }, /already holds a dataset; give overwrite/],
    ];
    for (const [fields, error] of cases) {
      const { status, body } = await env.submit({ kernel: 'sql', params: JOIN, input, chunkSize: '16KiB', ...fields });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(body.error)).toMatch(error);
    }
    expect(await env.jobIds()).toEqual(before);
  });
});
