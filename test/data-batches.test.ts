// The fast record path (`task.batches`): whole records as bytes, cut by the same ownership rule as `task.records`,
// read from a real S3-compatible server (s3rver, started here on a free port): every record exactly once, each in
// the batch of the task whose range it starts in, whole, with its offset; CRLF; bounded memory with backpressure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import { parseDataInput } from '../pipeline/data/input-spec.ts';
import { partitionObjects, type PartitionBy } from '../pipeline/data/partition.ts';
import { readRecordBatches, readRecords, type RecordReaderOptions } from '../pipeline/data/record-reader.ts';
import { LineBatch, type RecordBatch } from '../pipeline/data/record-batch.ts';
import { RecordTooLongError } from '../pipeline/data/errors.ts';
import type { ByteReader, ObjectInfo, ObjectSlice } from '../pipeline/data/objects.ts';
import { ByteKeys } from '../kernels/byte-keys.ts';
import { taskRefOf } from '../pipeline/data/job-input.ts';
import { FILES, LINES } from './helpers/line-files.ts';

const BUCKET = 'data';
let dir: string;
let s3: S3Server;
let client: S3Client;
let access: DataAccess;

/** 4 MiB of numbered CSV lines, for streaming and memory. */
const BIG_LINES = 100_000;
const BIG = Array.from({ length: BIG_LINES }, (_, i) => `${i},row ${i},${'v'.repeat(i % 50)}`).join('\n') + '\n';

/** The records of a text with the byte offset each starts at. */
function expectedRecords(text: string): { at: number; text: string }[] {
  const bytes = Buffer.from(text);
  const out: { at: number; text: string }[] = [];
  let at = 0;
  while (at < bytes.length) {
    let nl = bytes.indexOf(0x0a, at);
    if (nl < 0) nl = bytes.length;
    out.push({ at, text: bytes.subarray(at, nl).toString('utf8').replace(/\r$/, '') });
    at = nl + 1;
  }
  return out;
}

async function put(key: string, body: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function listed(key: string): Promise<ObjectInfo[]> {
  return access.list(parseDataInput(`s3://${BUCKET}/${key}`));
}

/** Every task's records through its batches, with their offsets, checking each batch holds whole records only. */
async function readAllBatches(objects: ObjectInfo[], by: PartitionBy, options?: RecordReaderOptions): Promise<{ at: number; text: string; task: number }[]> {
  const out: { at: number; text: string; task: number }[] = [];
  const plan = partitionObjects(objects, by);
  for (const [task, input] of plan.entries()) {
    for await (const batch of readRecordBatches(access, input, options)) {
      expect(batch.count).toBeGreaterThan(0);
      const size = objects.find((o) => o.name === batch.object)!.size!;
      // Whole records: a batch ends in a newline unless it ends the object.
      if (batch.offset + batch.bytes.length < size) expect(batch.bytes[batch.bytes.length - 1]).toBe(0x0a);
      for (let i = 0; i < batch.count; i++) out.push({ at: batch.offset + batch.start(i), text: batch.text(i), task });
    }
  }
  return out;
}

/** The task whose slice holds byte `at`. */
function ownerOf(slices: ObjectSlice[][], at: number): number {
  return slices.findIndex((task) => task.some((s) => at >= s.start && (s.end === undefined || at < s.end)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-batches-'));
  s3 = await startS3Server({ port: 0, directory: dir, buckets: [BUCKET] });
  const settings = readS3Settings(s3.env);
  client = await createS3Client(settings);
  access = new DataAccess({ s3: settings });
  for (const [key, text] of Object.entries(FILES)) await put(key, text);
  await put('big.csv', BIG);
  await put('long-record.txt', `short\n${'L'.repeat(40)}\nshort again\n`);
});

afterAll(async () => {
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('record batches own what task.records owns', () => {
  const longest = Math.max(...LINES.map((l) => Buffer.byteLength(l) + 2));
  for (const [key, text] of Object.entries(FILES)) {
    // Every chunk size for the tiny file (most slices then hold no record start at all); from one byte above the
    // longest record (its CRLF included) for the others, as data-objects.test.ts reads them.
    const from = key === 'tiny.txt' ? 1 : longest + 1;
    it(`${key}: every record once, in the batch of the task whose range it starts in, for every chunk size from ${from === 1 ? '1 byte' : 'one byte above the longest record'} and small batches`, async () => {
      const objects = await listed(key);
      const size = Buffer.byteLength(text);
      const expected = expectedRecords(text);
      for (let chunk = from; chunk <= size; chunk++) {
        const plan = partitionObjects(objects, { chunkBytes: chunk });
        const got = await readAllBatches(objects, { chunkBytes: chunk }, { batchBytes: 1 + (chunk % 7), lookaheadBytes: 1 + (chunk % 5) });
        expect(got.map(({ at, text }) => ({ at, text })), `chunk size ${chunk}`).toEqual(expected);
        const slices = plan.map((t) => t.slices);
        for (const r of got) expect(r.task, `chunk size ${chunk}, record at ${r.at}`).toBe(ownerOf(slices, r.at));
        if (key !== 'tiny.txt') continue;
        // The same records as task.records gives, task by task (data-objects.test.ts reads the others that way).
        const records: string[] = [];
        for (const task of plan) for await (const record of readRecords(access, task)) records.push(record);
        expect(records, `chunk size ${chunk}`).toEqual(expected.map((r) => r.text));
      }
    });
  }

  it('a task sees them as task.batches beside task.records', async () => {
    const [object] = await listed('crlf.txt');
    const input = { slices: [{ object: object.name, etag: object.etag, size: object.size, start: 0, end: 20 }] };
    const task = taskRefOf(0, 2, input, () => access);
    const fromBatches: string[] = [];
    for await (const batch of task.batches!) for (let i = 0; i < batch.count; i++) fromBatches.push(batch.text(i));
    const fromRecords: string[] = [];
    for await (const record of task.records!) fromRecords.push(record);
    expect(fromBatches).toEqual(['alpha', '', 'héllo wörld']);
    expect(fromRecords).toEqual(fromBatches);
  });
});

describe('a batch', () => {
  it('gives records as offsets, bytes, text and fields, without CR or LF', async () => {
    const [object] = await listed('big.csv');
    const plan = partitionObjects([object], { tasks: 1 });
    let records = 0;
    for await (const batch of readRecordBatches(access, plan[0])) records += batch.count;
    // A batch is lent until the next is asked for; one kept for later is a copy.
    const iterator = readRecordBatches(access, plan[0]);
    const lent = (await iterator.next()).value as RecordBatch;
    const first = new LineBatch(Buffer.from(lent.bytes), lent.offset, lent.object);
    await iterator.next();
    expect(lent.bytes.equals(first.bytes)).toBe(false);
    await iterator.return(undefined);
    expect(first.offset).toBe(0);
    expect(first.text(3)).toBe('3,row 3,vvv');
    expect(first.record(3).toString()).toBe('3,row 3,vvv');
    const fields = new Uint32Array(8);
    expect(first.fields(3, fields)).toBe(3);
    expect([0, 1, 2].map((f) => first.bytes.subarray(fields[2 * f], fields[2 * f + 1]).toString())).toEqual(['3', 'row 3', 'vvv']);
    // Fewer slots than fields: the last runs to the record's end.
    expect(first.fields(3, new Uint32Array(4))).toBe(2);
    expect(first.fields(0, [0, 0, 0, 0, 0, 0, 0, 0])).toBe(3);
    expect(records).toBe(BIG_LINES);
  });

  it('the CRLF of a record is not part of it', async () => {
    const [object] = await listed('crlf.txt');
    for await (const batch of readRecordBatches(access, partitionObjects([object], { tasks: 1 })[0])) {
      for (let i = 0; i < batch.count; i++) {
        const end = batch.end(i);
        if (end > batch.start(i)) expect(batch.bytes[end - 1] === 0x0d || batch.bytes[end - 1] === 0x0a).toBe(false);
        expect(batch.bytes.subarray(end, end + 2).toString()).toBe('\r\n');
      }
    }
  });
});

describe('bounded memory', () => {
  it('batches of about the size asked, pulled from the reader only as the kernel takes them', async () => {
    const [object] = await listed('big.csv');
    const batchBytes = 256 * 2 ** 10;
    let pulled = 0;
    let largestChunk = 0;
    const counting: ByteReader = {
      async *readRange(slice) {
        for await (const chunk of access.readRange(slice)) {
          pulled += chunk.length;
          largestChunk = Math.max(largestChunk, chunk.length);
          yield chunk;
        }
      },
    };
    const sizes: number[] = [];
    let pulledAtFirst = 0;
    for await (const batch of readRecordBatches(counting, { slices: [{ object: object.name, etag: object.etag, size: object.size, start: 0 }] }, { batchBytes })) {
      if (sizes.length === 0) pulledAtFirst = pulled;
      sizes.push(batch.bytes.length);
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(BIG));
    expect(sizes.length).toBeGreaterThanOrEqual(Math.floor(Buffer.byteLength(BIG) / (batchBytes + largestChunk)));
    // A batch is cut once it holds `batchBytes`, within the chunk that completes it.
    for (const size of sizes) expect(size).toBeLessThanOrEqual(batchBytes + largestChunk);
    // Nothing read ahead of the first batch but the chunk that completed it.
    expect(pulledAtFirst).toBeLessThanOrEqual(sizes[0] + largestChunk);
  });

  it('a record longer than the limit fails naming where it starts, and so does one that starts before the range', async () => {
    const objects = await listed('long-record.txt');
    const all = async (by: PartitionBy, options: RecordReaderOptions) => {
      for (const task of partitionObjects(objects, by)) for await (const _ of readRecordBatches(access, task, options));
    };
    await expect(all({ chunkBytes: 1000 }, { maxRecordBytes: 20 })).rejects.toThrow(
      new RecordTooLongError(`s3://${BUCKET}/long-record.txt`, 'the record at byte 6 is longer than the limit of 20 bytes'),
    );
    await expect(all({ chunkBytes: 25 }, { maxRecordBytes: 10 })).rejects.toThrow(RecordTooLongError);
    await expect(all({ chunkBytes: 7 }, { maxRecordBytes: 41 })).resolves.toBeUndefined();
  });
});

describe('ByteKeys', () => {
  it('gives each distinct byte string one dense id, and its text back, however many keys', () => {
    const keys = new ByteKeys();
    const words = Array.from({ length: 5000 }, (_, i) => `key-${i}-${'é'.repeat(i % 3)}`);
    const bytes = Buffer.from(words.join(','));
    let at = 0;
    const ids = words.map((w) => {
      const length = Buffer.byteLength(w);
      const id = keys.id(bytes, at, at + length);
      at += length + 1;
      return id;
    });
    expect(ids).toEqual(words.map((_, i) => i));
    expect(keys.size).toBe(words.length);
    expect(keys.allKeys()).toEqual(words);
    // The same bytes anywhere give the same id; the empty key is a key.
    const again = Buffer.from(`xx${words[4321]}`);
    expect(keys.id(again, 2, again.length)).toBe(4321);
    expect(keys.id(again, 0, 0)).toBe(words.length);
    expect(keys.key(words.length)).toBe('');
    expect(() => keys.key(words.length + 1)).toThrow(RangeError);
  });
});
