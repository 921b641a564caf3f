// The 360° example as a user runs it: a small bank generated (transactions as Parquet, the rest CSV), stored in a real
// S3-compatible server, the example's two shuffle jobs run through the library on the embedded platform (spend by
// account, then the profile by customer over that dataset), and the profile dataset read back by its manifest. DuckDB's
// one query over the same local files is the reference: every row equal, each customer in exactly one part.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { Supercompute } from '../host/library/index.ts';
import { generateCustomer360, TABLES, type Generated } from '../examples/customer-360/generate.ts';
import { buildCustomer360 } from '../examples/customer-360/jobs.ts';
import { duckdbProfile, readProfileParts, tableSql } from '../examples/customer-360/duckdb.ts';
import { downloadDataset, uploadTables } from '../examples/customer-360/store.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 10;
const BUCKET = 'bank';
const SIZES = { customers: 400, accounts: 700, transactions: 4000, claims: 250, contacts: 1500 };
let dir: string;
let s3: S3Server;
let client: S3Client;
let env: PipelineEnv;
let generated: Generated;

async function keys(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((c) => c.Key!).sort();
}

async function query(sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await db.connect();
    const rows = (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
    connection.closeSync();
    return rows;
  } finally {
    db.closeSync();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-c360-'));
  generated = await generateCustomer360(join(dir, 'bank'), SIZES, 7, { parquet: true, rowGroupRows: 1000 });
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  client = await createS3Client(readS3Settings(s3.env));
  await uploadTables(client, `s3://${BUCKET}/raw/`, generated.files);
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL } = s3.env;
  env = await startPipeline({ db: DB, zippedKernels: true, deployParams: { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL } });
});

afterAll(async () => {
  await env?.stop();
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the customer-360 example', () => {
  it('builds one profile row per customer in two chained shuffle jobs, equal to DuckDB row for row', async () => {
    const sc = new Supercompute({ apihost: env.platform.url, auth: env.platform.auth });
    const { spend, profile } = await buildCustomer360(sc, { data: `s3://${BUCKET}/raw/`, output: `s3://${BUCKET}/c360/`, reducers: 4, workers: 2, chunkSize: '16KiB' });
    expect(spend).toMatchObject({ dataset: `s3://${BUCKET}/c360/spend/`, format: 'parquet', parts: 4 });
    expect(profile).toMatchObject({ dataset: `s3://${BUCKET}/c360/profile/`, format: 'parquet', parts: 4, rows: SIZES.customers });

    const { manifest, paths } = await downloadDataset(client, profile.dataset, dir);
    expect(manifest).toMatchObject({ partitionBy: 'customer_id', rows: SIZES.customers });
    expect(manifest.columns).toEqual(['customer_id', 'segment', 'branch', 'accounts', 'total_spend_cents', 'transactions', 'top_category', 'open_claims', 'last_contact_at', 'last_contact_channel']);
    const got = await readProfileParts(paths, manifest.format);
    const expected = (await duckdbProfile(generated.files, 1)).rows;
    expect(expected).toHaveLength(SIZES.customers);
    expect(got).toEqual(expected);

    // Each customer in exactly one part.
    const list = `[${paths.map((p) => `'${p}'`).join(', ')}]`;
    expect(await query(`SELECT customer_id FROM read_parquet(${list}, filename = true) GROUP BY customer_id HAVING count(DISTINCT filename) > 1`)).toEqual([]);
    // The map stages' partitions and the parts' attempts are gone; the datasets remain.
    expect(await keys('jobs/')).toEqual([]);
    expect((await keys('c360/')).filter((k) => k.includes('_temporary'))).toEqual([]);

    // The data holds what the rules decide: customers without accounts, without contacts, and tied top categories.
    const t = (name: keyof Generated['files']) => tableSql(generated.files[name]);
    const tied = await query(`
      WITH s AS (SELECT a.customer_id, x.category, sum(x.amount_cents) AS cents FROM ${t('transactions')} x JOIN ${t('accounts')} a USING (account_id) GROUP BY ALL),
           top AS (SELECT customer_id, max(cents) AS cents FROM s GROUP BY ALL)
      SELECT count(*) FROM (SELECT s.customer_id FROM s JOIN top USING (customer_id, cents) GROUP BY s.customer_id HAVING count(*) > 1)`);
    expect(Number(tied[0][0])).toBeGreaterThan(0);
    expect(got.filter((r) => r[3] === '0').length).toBeGreaterThan(0);
    expect(got.filter((r) => r[8] === null).length).toBeGreaterThan(0);
  });

  it('generates the same bytes from the same seed and sizes; a bigger table leaves the others as they were', async () => {
    const small = { customers: 50, accounts: 80, transactions: 500, claims: 20, contacts: 100 };
    const read = (g: Generated) => Object.fromEntries(TABLES.map((t) => [t, readFileSync(g.files[t], 'utf8')]));
    const a = read(await generateCustomer360(join(dir, 'a'), small, 3));
    expect(read(await generateCustomer360(join(dir, 'b'), small, 3))).toEqual(a);
    const grown = read(await generateCustomer360(join(dir, 'c'), { ...small, transactions: 900 }, 3));
    expect({ ...grown, transactions: '' }).toEqual({ ...a, transactions: '' });
    expect(grown.transactions.startsWith(a.transactions)).toBe(true);
    expect(read(await generateCustomer360(join(dir, 'd'), small, 4)).customers).not.toEqual(a.customers);
  });
});
