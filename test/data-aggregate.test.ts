// The `aggregate` example on the fast record path (`task.batches`) against DuckDB, the reference engine, over the same
// generated CSV: stored in a real S3-compatible server (s3rver) and cut into several tasks, so that records straddle
// the tasks' boundaries, in a file without a final newline and in one with CRLF line ends; and the byte scanner
// judges every line as the string path does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import { parseDataInput } from '../pipeline/data/input-spec.ts';
import { partitionObjects } from '../pipeline/data/partition.ts';
import { LineBatch } from '../pipeline/data/record-batch.ts';
import { taskRefOf, wholeInputOf } from '../pipeline/data/job-input.ts';
import { generateTransactions } from '../examples/transactions/generate.ts';
import { addRow, BatchAggregator, emptyPartial, type AggregatePartial } from '../examples/transactions/aggregate.ts';
import { duckdbAggregate } from '../examples/transactions/duckdb.ts';
import aggregate from '../examples/transactions/kernel.ts';

const BUCKET = 'data';
let dir: string;
let s3: S3Server;
let client: S3Client;
let access: DataAccess;

const LF = generateTransactions(20_000, 5).replace(/\n$/, '');
const CRLF = generateTransactions(5_000, 6).replaceAll('\n', '\r\n');
const FILES: Record<string, string> = { 'no-final-newline.csv': LF, 'crlf.csv': CRLF };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-aggregate-'));
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  const settings = readS3Settings(s3.env);
  client = await createS3Client(settings);
  access = new DataAccess({ s3: settings });
  for (const [key, text] of Object.entries(FILES)) {
    writeFileSync(join(dir, key), text);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text }));
  }
});

afterAll(async () => {
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the aggregate example equals DuckDB', () => {
  for (const key of Object.keys(FILES)) {
    it(`${key}: over several tasks cutting records at their boundaries, and serially`, async () => {
      const expected = (await duckdbAggregate(join(dir, key), 1)).result;
      expect(expected.rows).toBe(key === 'crlf.csv' ? 5_000 : 20_000);
      const objects = await access.list(parseDataInput(`s3://${BUCKET}/${key}`));
      const bytes = Buffer.from(FILES[key]);
      for (const chunkBytes of [4093, 40_000, 65_536]) {
        const plan = partitionObjects(objects, { chunkBytes });
        expect(plan.length, `chunk size ${chunkBytes}`).toBeGreaterThan(1);
        // Some cut falls inside a record, which the task before it finishes.
        const straddled = plan.slice(1).filter((task) => bytes[task.slices[0].start - 1] !== 0x0a);
        expect(straddled.length, `chunk size ${chunkBytes}`).toBeGreaterThan(0);
        // As the pipeline runs them: each task's partial through JSON, reduced in another order.
        const partials: AggregatePartial[] = [];
        for (const [index, input] of plan.entries()) {
          const partial = await aggregate.work({ top: 10 }, taskRefOf(index, plan.length, input, () => access));
          partials.push(JSON.parse(JSON.stringify(partial)));
        }
        expect(aggregate.reduce({ top: 10 }, partials.reverse()), `chunk size ${chunkBytes}`).toEqual(expected);
      }
      expect(await aggregate.reference!({ top: 10 }, await wholeInputOf(`s3://${BUCKET}/${key}`, access))).toEqual(expected);
    });
  }
});

describe('the byte scanner', () => {
  const partialOfBatch = (text: string): AggregatePartial => {
    const aggregator = new BatchAggregator();
    aggregator.add(new LineBatch(Buffer.from(text), 0, 'test'));
    return aggregator.partial();
  };
  const partialOfLines = (text: string): AggregatePartial => {
    const partial = emptyPartial();
    for (const line of text.split('\n')) addRow(partial, line.replace(/\r$/, ''));
    return partial;
  };

  it('reads what the string path reads: headers anywhere, empty lines, CRLF, multi-byte keys, large amounts', () => {
    const text = [
      'customer,date,category,amount',
      'C0001,2025-01-02,électronique,12.34',
      '',
      'C0002,2025-02-28,rent,100000000.00\r',
      '\r',
      'customer,date,category,amount\r',
      'C0001,2025-01-31,électronique,0.01',
      'Ö,1999-12-31,日本,7.00',
    ].join('\n');
    expect(partialOfBatch(text)).toEqual(partialOfLines(text));
    expect(partialOfBatch(text).rows).toBe(4);
    expect(partialOfBatch(text).byCategory['électronique']).toBe(1235);
  });

  it('refuses what the string path refuses, with the same message', () => {
    const bad = [
      'C1,2025-01-01,food,1.5',
      'C1,2025-1-01,food,1.50',
      'C1,2025-01-011,food,1.50',
      ',2025-01-01,food,1.00',
      'C1,2025-01-01,,1.00',
      'C1,2025-01-01,food,1.00,extra',
      'C1,2025-01-01,food,abc',
      'C1,2025-01-01,food,.50',
      'C1,2025-01-01,food,1.000',
      'C1,2025-01-01,food',
      'C1',
    ];
    for (const line of bad) {
      for (const text of [line, `${line}\n`, `C0,2025-01-01,ok,1.00\n${line}\r\nC0,2025-01-01,ok,1.00`]) {
        let message = '';
        try {
          partialOfLines(text);
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message, JSON.stringify(text)).toMatch(/^aggregate: not a transaction row: /);
        expect(() => partialOfBatch(text), JSON.stringify(text)).toThrow(message);
      }
    }
  });
});
