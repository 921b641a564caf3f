// A job's own data read from a real S3-compatible server (s3rver, started here on a free port) and real HTTP servers:
// every record counted exactly once however the objects are cut, and bad input failing clearly and quickly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { freePort } from '../host/local/free-port.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import { parseDataInput } from '../pipeline/data/input-spec.ts';
import { parsePartitionBy, partitionObjects, type PartitionBy } from '../pipeline/data/partition.ts';
import { readChunks, readRecords, type RecordReaderOptions } from '../pipeline/data/record-reader.ts';
import { DataReadError, InputSpecError, ObjectChangedError, RecordFormatError, RecordTooLongError } from '../pipeline/data/errors.ts';
import type { ObjectInfo } from '../pipeline/data/objects.ts';
import { FILES, LINES } from './helpers/line-files.ts';

const BUCKET = 'data';
let dir: string;
let s3: S3Server;
let client: S3Client;
let access: DataAccess;


/** The records of a text by the reader's rule: its lines, less the empty rest after a final newline. */
function expectedRecords(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

async function put(key: string, body: string | Uint8Array): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function listed(input: unknown, over: DataAccess = access): Promise<ObjectInfo[]> {
  return over.list(parseDataInput(input));
}

/** Every record of every task, in task order. */
async function readAll(objects: ObjectInfo[], by: PartitionBy, options?: RecordReaderOptions, over: DataAccess = access): Promise<string[]> {
  const records: string[] = [];
  for (const task of partitionObjects(objects, by)) for await (const r of readRecords(over, task, options)) records.push(r);
  return records;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-data-'));
  s3 = await startS3Server({ port: 0, directory: dir, buckets: [BUCKET] });
  const settings = readS3Settings(s3.env);
  client = await createS3Client(settings);
  access = new DataAccess({ s3: settings, allowHosts: '127.0.0.1' });
  for (const [key, text] of Object.entries(FILES)) await put(key, text);
  await Promise.all(Array.from({ length: 100 }, (_, i) => put(`many/part-${String(i).padStart(3, '0')}.txt`, `object ${i} line 1\nobject ${i} line 2 ü\n${'z'.repeat(i % 7)}\n`)));
  for (const i of [1, 2, 3]) await put(`few/${i}.txt`, `few ${i}\n`);
  await put('empty.txt', '');
  await put('long-record.txt', `short\n${'L'.repeat(40)}\nshort again\n`);
  await put('binary.bin', new Uint8Array([0x00, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a, 0x80]));
});

afterAll(async () => {
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('every record exactly once', () => {
  const longest = Math.max(...LINES.map((l) => Buffer.byteLength(l) + 2));
  for (const [key, text] of Object.entries(FILES)) {
    // Every chunk size for the tiny file (most slices then hold no record start at all); from one byte above the
    // longest record (its CRLF included) for the others.
    const from = key === 'tiny.txt' ? 1 : longest + 1;
    it(`${key}: for every chunk size from ${from === 1 ? '1 byte' : 'one byte above the longest record'} to the whole object, and task counts`, async () => {
      const objects = await listed(`s3://${BUCKET}/${key}`);
      const size = Buffer.byteLength(text);
      expect(objects).toEqual([{ name: `s3://${BUCKET}/${key}`, size, etag: expect.stringMatching(/^".+"$/), ranges: true }]);
      const expected = expectedRecords(text);
      for (let chunk = from; chunk <= size; chunk++) {
        expect(await readAll(objects, { chunkBytes: chunk }, { lookaheadBytes: 1 + (chunk % 5) }), `chunk size ${chunk}`).toEqual(expected);
      }
      for (const tasks of [1, 2, 3, 5, 8, 13]) {
        expect(await readAll(objects, { tasks }), `${tasks} tasks`).toEqual(expected);
      }
    });
  }

  it('a prefix of 100 small objects: one task per object by size, grouped or cut by a task count', async () => {
    const objects = await listed(`s3://${BUCKET}/many/`);
    expect(objects).toHaveLength(100);
    const expected = Array.from({ length: 100 }, (_, i) => [`object ${i} line 1`, `object ${i} line 2 ü`, 'z'.repeat(i % 7)]).flat();
    expect(expected).toHaveLength(300);
    expect(partitionObjects(objects, { chunkBytes: 2 ** 20 })).toHaveLength(100);
    expect(await readAll(objects, { chunkBytes: 2 ** 20 })).toEqual(expected);
    for (const tasks of [7, 250]) {
      const plan = partitionObjects(objects, { tasks });
      expect(plan, `${tasks} tasks`).toHaveLength(tasks);
      expect(await readAll(objects, { tasks }), `${tasks} tasks`).toEqual(expected);
    }
  });

  it('several sources in one input: an object, a prefix and a URL', async () => {
    const url = `${s3.url}/${BUCKET}/crlf.txt`;
    const objects = await listed([`s3://${BUCKET}/lf.txt`, `s3://${BUCKET}/few/`, url]);
    expect(objects.map((o) => o.name)).toEqual([`s3://${BUCKET}/lf.txt`, ...[1, 2, 3].map((i) => `s3://${BUCKET}/few/${i}.txt`), url]);
    const expected = [...expectedRecords(FILES['lf.txt']), 'few 1', 'few 2', 'few 3', ...expectedRecords(FILES['crlf.txt'])];
    expect(await readAll(objects, { chunkBytes: 50 })).toEqual(expected);
    expect(await readAll(objects, { tasks: 3 })).toEqual(expected);
  });
});

describe('http(s) URLs', () => {
  let plain: Server;
  let plainUrl: string;

  beforeAll(async () => {
    // A server that knows nothing of ranges: no Accept-Ranges, the whole body whatever the request says.
    plain = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(FILES['crlf.txt']) });
      res.end(req.method === 'HEAD' ? undefined : FILES['crlf.txt']);
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const address = plain.address();
    plainUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/file.txt`;
  });

  afterAll(() => new Promise<void>((resolve) => plain.close(() => resolve())));

  it('a server that reads ranges (s3rver, anonymous): HEAD for size and ETag, then ranged GETs', async () => {
    const url = `${s3.url}/${BUCKET}/lf.txt`;
    const objects = await listed(url);
    expect(objects).toEqual([{ name: url, size: Buffer.byteLength(FILES['lf.txt']), etag: expect.stringMatching(/^".+"$/), ranges: true }]);
    for (const chunk of [1, 7, 16, 1000]) expect(await readAll(objects, { chunkBytes: chunk })).toEqual(expectedRecords(FILES['lf.txt']));
  });

  it('a server without range support: one task per URL, read whole', async () => {
    const objects = await listed([plainUrl, plainUrl]);
    expect(objects[0]).toEqual({ name: plainUrl, size: Buffer.byteLength(FILES['crlf.txt']), etag: undefined, ranges: false });
    const plan = partitionObjects(objects, { chunkBytes: 10 });
    expect(plan).toEqual([{ slices: [{ object: plainUrl, size: objects[0].size, start: 0 }] }, { slices: [{ object: plainUrl, size: objects[0].size, start: 0 }] }].map((t) => ({ slices: t.slices.map((s) => ({ ...s, etag: undefined, end: undefined })) })));
    expect(await readAll(objects, { chunkBytes: 10 })).toEqual([...expectedRecords(FILES['crlf.txt']), ...expectedRecords(FILES['crlf.txt'])]);
  });

  it('a URL to a non-public address is refused unless the deployment allows its host', async () => {
    const strict = new DataAccess({ s3: readS3Settings(s3.env) });
    await expect(listed(plainUrl, strict)).rejects.toThrow(new InputSpecError(`${plainUrl}: URL refers to a non-public address`));
  });

  it('a URL that answers 404 names the URL and the status', async () => {
    const url = `${s3.url}/${BUCKET}/no-such-file.txt`;
    await expect(listed(url)).rejects.toThrow(`${url}: could not fetch URL: it answered HTTP 404`);
  });
});

describe('bad input', () => {
  it('a missing bucket or object, or an empty prefix, names it (the job is refused)', async () => {
    await expect(listed('s3://no-such-bucket/x.txt')).rejects.toThrow(new InputSpecError('s3://no-such-bucket/x.txt: no such bucket "no-such-bucket"'));
    await expect(listed('s3://no-such-bucket/')).rejects.toThrow('s3://no-such-bucket/: no such bucket "no-such-bucket"');
    await expect(listed(`s3://${BUCKET}/nope.txt`)).rejects.toThrow(new InputSpecError(`s3://${BUCKET}/nope.txt: no such object`));
    await expect(listed(`s3://${BUCKET}/nothing-here/`)).rejects.toThrow(`s3://${BUCKET}/nothing-here/: no objects under this prefix`);
  });

  it('an object missing at read time fails the task naming it', async () => {
    const reading = readRecords(access, { slices: [{ object: `s3://${BUCKET}/gone.txt`, start: 0, end: 10 }] }).next();
    await expect(reading).rejects.toThrow(new DataReadError(`s3://${BUCKET}/gone.txt`, 'no such object'));
  });

  it('an empty object has nothing to read; empty objects among others are left out', async () => {
    const empty = await listed(`s3://${BUCKET}/empty.txt`);
    expect(() => partitionObjects(empty, { chunkBytes: 100 })).toThrow(new InputSpecError(`s3://${BUCKET}/empty.txt is empty: nothing to read`));
    const both = await listed([`s3://${BUCKET}/empty.txt`, `s3://${BUCKET}/lf.txt`]);
    expect(await readAll(both, { tasks: 2 })).toEqual(expectedRecords(FILES['lf.txt']));
  });

  it('wrong credentials: access denied, naming the object (s3rver checks the key id, not the signature)', async () => {
    const wrong = new DataAccess({ s3: { ...readS3Settings(s3.env), accessKeyId: 'NOT-A-KEY' } });
    await expect(listed(`s3://${BUCKET}/lf.txt`, wrong)).rejects.toThrow(
      // A HEAD's answer has no body: its status is all it says.
      's3://data/lf.txt: access denied by the S3 endpoint (HTTP 403); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
    const reading = readRecords(wrong, { slices: [{ object: `s3://${BUCKET}/lf.txt`, start: 0, end: 10 }] }).next();
    await expect(reading).rejects.toThrow(/^s3:\/\/data\/lf\.txt: access denied by the S3 endpoint \(InvalidAccessKeyId/);
  });

  it('an unreachable endpoint fails after the retries, naming the object and the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const away = new DataAccess({ s3: { ...readS3Settings(s3.env), endpoint } });
    const error = await listed(`s3://${BUCKET}/lf.txt`, away).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DataReadError);
    expect((error as Error).message).toMatch(new RegExp(`^s3://data/lf\\.txt: could not reach the S3 endpoint ${endpoint} \\(.*ECONNREFUSED`));
    const reading = readRecords(away, { slices: [{ object: `s3://${BUCKET}/lf.txt`, start: 0, end: 10 }] }).next();
    await expect(reading).rejects.toThrow(`s3://data/lf.txt: could not reach the S3 endpoint ${endpoint}`);
  });

  it('a server that accepts connections and never answers fails within the time limits, naming the object', async () => {
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const quiet = new DataAccess({ s3: { ...readS3Settings(s3.env), endpoint }, s3Client: { idleTimeoutMs: 300, maxAttempts: 2 }, allowHosts: '127.0.0.1', http: { timeoutMs: 300 } });
      await expect(listed(`s3://${BUCKET}/lf.txt`, quiet)).rejects.toThrow(new RegExp(`^s3://data/lf\\.txt: the S3 endpoint ${endpoint} did not answer in time \\(`));
      await expect(listed(`${endpoint}/x.txt`, quiet)).rejects.toThrow(`${endpoint}/x.txt: could not fetch URL: no answer within 300 ms`);
    } finally {
      silent.close();
    }
  });

  it('a URL whose content changed since the split fails clearly', async () => {
    await put('changing-url.txt', 'one\n');
    const url = `${s3.url}/${BUCKET}/changing-url.txt`;
    const objects = await listed(url);
    await put('changing-url.txt', 'two\n');
    await expect(readAll(objects, { chunkBytes: 100 })).rejects.toThrow(new RegExp(`^${url} changed since the job was split \\(ETag "[0-9a-f]+" then, "[0-9a-f]+" now\\)$`));
  });

  it('a chunk size or task count that is zero, negative or unparsable is refused', () => {
    for (const chunkSize of [0, -5, '0', '-1MiB', 'lots', '1.5', '12 parsecs', '', true, null as unknown as undefined]) {
      if (chunkSize === null) continue;
      expect(() => parsePartitionBy({ chunkSize }), JSON.stringify(chunkSize)).toThrow(InputSpecError);
    }
    expect(() => parsePartitionBy({ chunkSize: 'lots' })).toThrow('chunkSize must be a size in bytes such as 4096, 64MiB or 1GB; "lots" is not one');
    expect(() => parsePartitionBy({ chunkSize: 0 })).toThrow('chunkSize must be a size in bytes such as 4096, 64MiB or 1GB; 0 is not positive');
    expect(() => parsePartitionBy({ tasks: 0 })).toThrow('tasks must be a whole number of at least 1, got 0');
    expect(() => parsePartitionBy({ tasks: 2, chunkSize: 5 })).toThrow('give either chunkSize');
    expect(() => parsePartitionBy({})).toThrow('give either chunkSize');
    expect(() => partitionObjects([{ name: 's3://b/k', size: 5, ranges: true }], { chunkBytes: 0 })).toThrow(InputSpecError);
    expect(parsePartitionBy({ chunkSize: '64MiB' })).toEqual({ chunkBytes: 64 * 2 ** 20 });
    expect(parsePartitionBy({ chunkSize: '1GB' })).toEqual({ chunkBytes: 1e9 });
    expect(parsePartitionBy({ chunkSize: '4096' })).toEqual({ chunkBytes: 4096 });
    expect(parsePartitionBy({ chunkSize: '512k' })).toEqual({ chunkBytes: 512 * 1024 });
    expect(parsePartitionBy({ chunkSize: '1.5 KiB' })).toEqual({ chunkBytes: 1536 });
    expect(parsePartitionBy({ tasks: '12' })).toEqual({ tasks: 12 });
  });

  it('a record longer than the limit fails naming the object and where the record starts', async () => {
    const objects = await listed(`s3://${BUCKET}/long-record.txt`);
    await expect(readAll(objects, { chunkBytes: 1000 }, { maxRecordBytes: 20 })).rejects.toThrow(
      new RecordTooLongError(`s3://${BUCKET}/long-record.txt`, 'the record at byte 6 is longer than the limit of 20 bytes'),
    );
    // A task whose range starts inside that record, and holds more than the limit of it, fails too.
    const plan = partitionObjects(objects, { chunkBytes: 25 });
    const second = readRecords(access, plan[1], { maxRecordBytes: 10 });
    await expect(second.next()).rejects.toThrow(RecordTooLongError);
    expect(await readAll(objects, { chunkBytes: 7 }, { maxRecordBytes: 40 })).toEqual(['short', 'L'.repeat(40), 'short again']);
  });

  it('binary data: the line reader refuses bytes that are not UTF-8; byte chunks read them exactly', async () => {
    const objects = await listed(`s3://${BUCKET}/binary.bin`);
    await expect(readAll(objects, { chunkBytes: 100 })).rejects.toThrow(
      new RecordFormatError(`s3://${BUCKET}/binary.bin`, 'the record at byte 0 is not UTF-8 text (read binary data as byte chunks)'),
    );
    const parts: Uint8Array[] = [];
    for (const task of partitionObjects(objects, { chunkBytes: 3 })) for await (const c of readChunks(access, task)) parts.push(c);
    expect([...Buffer.concat(parts)]).toEqual([0x00, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a, 0x80]);
  });

  it('an object changed since the split fails clearly, naming it and both ETags', async () => {
    await put('changing.txt', 'one\ntwo\n');
    const objects = await listed(`s3://${BUCKET}/changing.txt`);
    await put('changing.txt', 'one\ntwo\nthree\n');
    const error = await readAll(objects, { chunkBytes: 100 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ObjectChangedError);
    expect((error as Error).message).toMatch(/^s3:\/\/data\/changing\.txt changed since the job was split \(ETag "[0-9a-f]+" then, "[0-9a-f]+" now\)$/);
  });

  it('a malformed input names what is wrong', () => {
    expect(() => parseDataInput('ftp://x/y')).toThrow('input: "ftp://x/y" is not an s3://BUCKET/KEY, s3://BUCKET/PREFIX/ or http(s):// URL');
    expect(() => parseDataInput('s3://A_B/k')).toThrow('input: "A_B" is not an S3 bucket name');
    expect(() => parseDataInput([])).toThrow('input must be an s3:// or http(s):// URL, or a non-empty list of them');
    expect(() => parseDataInput(['s3://bucket/k', 5])).toThrow('input[1] must be a string, got 5');
    expect(parseDataInput(['s3://bucket/k', 's3://bucket/p/', 's3://bucket', 'https://example.com/a b'])).toEqual([
      { kind: 's3-object', bucket: 'bucket', key: 'k' },
      { kind: 's3-prefix', bucket: 'bucket', prefix: 'p/' },
      { kind: 's3-prefix', bucket: 'bucket', prefix: '' },
      { kind: 'url', url: 'https://example.com/a%20b' },
    ]);
  });
});
