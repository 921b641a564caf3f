// A CSV input with a header names its columns for TypeScript kernels: the header is read once when the job's input is
// planned, every task gets the names with its slices, and its record batches resolve a field by name. Against a real
// S3-compatible server (s3rver); the sums read by column name equal DuckDB's over the same file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import type { ObjectSlice } from '../pipeline/data/objects.ts';
import { headerColumns } from '../pipeline/data/csv-header.ts';
import { cutJobInput, taskRefOf } from '../pipeline/data/job-input.ts';

const BUCKET = 'columns';
let dir: string;
let s3: S3Server;
let client: S3Client;

/** The real reader, counting the byte ranges asked of it. */
class CountingAccess extends DataAccess {
  readonly reads: ObjectSlice[] = [];
  override readRange(slice: ObjectSlice): AsyncIterable<Uint8Array> {
    this.reads.push(slice);
    return super.readRange(slice);
  }
}

const ROWS = 3000;
const CATEGORIES = ['food', 'fuel', 'travel', 'rent'];
const CSV = ['"customer","date",category,amount', ...Array.from({ length: ROWS }, (_, i) => `c${i % 37},2026-0${1 + (i % 9)}-1${i % 10},${CATEGORIES[i % 4]},${(i * 7919) % 1000}.${i % 100}`)].join('\n') + '\n';

async function put(key: string, body: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function plan(key: string, params: Record<string, unknown> = {}, access = new CountingAccess({ s3: readS3Settings(s3.env) })) {
  const input = await cutJobInput({ input: `s3://${BUCKET}/${key}`, chunkSize: '8KiB', params }, () => access);
  return { tasks: input!.tasks, access };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-columns-'));
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  client = await createS3Client(readS3Settings(s3.env));
  await put('tx.csv', CSV);
  await put('tx.txt', CSV);
  await put('numbers.csv', '1,2,3\n4,5,6\n');
  writeFileSync(join(dir, 'tx.csv'), CSV);
});

afterAll(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a CSV with a header gives named columns', () => {
  it('to every task and its batches, read once at planning; sums by name equal DuckDB\'s', async () => {
    const { tasks, access } = await plan('tx.csv');
    expect(tasks.length).toBeGreaterThan(3);
    // Planning read the header once (its first line), and nothing else.
    expect(access.reads).toHaveLength(1);
    expect(access.reads[0].start).toBe(0);
    const spend = new Map<string, number>();
    const fields = new Uint32Array(8);
    for (const [index, input] of tasks.entries()) {
      const task = taskRefOf(index, tasks.length, input, () => access);
      expect(task.columns).toEqual(['customer', 'date', 'category', 'amount']);
      for await (const batch of task.batches!) {
        const category = batch.column('category');
        const amount = batch.column('amount');
        for (let i = 0; i < batch.count; i++) {
          if (batch.offset + batch.start(i) === 0) continue; // the header line
          batch.fields(i, fields);
          const key = batch.bytes.toString('latin1', fields[2 * category], fields[2 * category + 1]);
          spend.set(key, (spend.get(key) ?? 0) + Math.round(Number(batch.bytes.toString('latin1', fields[2 * amount], fields[2 * amount + 1])) * 100));
        }
      }
    }
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await duck.runAndReadAll(`SELECT category, sum(round(amount * 100))::BIGINT FROM read_csv('${join(dir, 'tx.csv')}', header = true) GROUP BY category`);
    expect(Object.fromEntries(spend)).toEqual(Object.fromEntries(reader.getRows().map(([c, s]) => [String(c), Number(s)])));
    duck.closeSync();
  });

  it('a field by an unknown name throws naming the columns; a CSV that starts with data has no names', async () => {
    const { tasks, access } = await plan('tx.csv');
    for await (const batch of taskRefOf(0, 1, tasks[0], () => access).batches!) {
      expect(() => batch.column('cents')).toThrow(/no column "cents".*"customer", "date", "category", "amount"/);
      break;
    }
    const numbers = await plan('numbers.csv');
    expect(numbers.tasks[0].columns).toBeUndefined();
    for await (const batch of taskRefOf(0, 1, numbers.tasks[0], () => numbers.access).batches!) expect(() => batch.column('a')).toThrow(/no named columns/);
  });

  it('only CSV inputs: by name, or any name with format csv', async () => {
    const text = await plan('tx.txt');
    expect(text.tasks[0].columns).toBeUndefined();
    expect(text.access.reads).toHaveLength(0);
    expect((await plan('tx.txt', { format: 'csv' })).tasks[0].columns).toEqual(['customer', 'date', 'category', 'amount']);
  });

  it('reads a header line as names only when they are distinct, non-empty text', () => {
    expect(headerColumns('a,"b c",d\r')).toEqual(['a', 'b c', 'd']);
    expect(headerColumns('a,a')).toBeUndefined();
    expect(headerColumns('a,,c')).toBeUndefined();
    expect(headerColumns('name,2026,x')).toBeUndefined();
  });
});
