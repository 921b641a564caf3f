// The local storage server streams objects in pieces read into buffers it reuses (host/local/object-file-stream.ts):
// every range of every object is still exactly its bytes, whoever reads it and however many at once, and a copy made
// inside the server (a consumer that never hands a piece back) is whole too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { OBJECT_PIECE_BYTES } from '../host/local/object-file-stream.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';

const BUCKET = 'pieces';
const OBJECT = randomBytes(5 * OBJECT_PIECE_BYTES + 123);
const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
let server: S3Server;
let client: S3Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-storage-'));
  server = await startS3Server({ port: 0, directory: dir, buckets: [BUCKET] });
  client = await createS3Client(readS3Settings(server.env));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'random.bin', Body: OBJECT }));
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A plain GET (s3rver serves anonymous reads), with a Range header when given; its status and bytes. */
function plainGet(key: string, range?: string): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${server.url}/${BUCKET}/${key}`, { headers: range ? { range } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('the storage server', () => {
  it('serves the whole object and every range exactly, across piece boundaries', async () => {
    const whole = await plainGet('random.bin');
    expect(whole.status).toBe(200);
    expect(digest(whole.bytes)).toBe(digest(OBJECT));
    const P = OBJECT_PIECE_BYTES;
    // (Not bytes=0-0: s3rver reads an end of 0 as none and serves the whole object, a quirk the readers allow for.)
    const ranges: [number, number][] = [[0, 1], [P - 1, P], [P, 2 * P - 1], [P - 7, 3 * P + 7], [OBJECT.length - 1, OBJECT.length - 1], [123, OBJECT.length - 1]];
    for (const [start, end] of ranges) {
      const got = await plainGet('random.bin', `bytes=${start}-${end}`);
      expect(got.status, `bytes=${start}-${end}`).toBe(206);
      expect(got.bytes.equals(OBJECT.subarray(start, end + 1)), `bytes=${start}-${end}`).toBe(true);
    }
    expect((await plainGet('random.bin', `bytes=${OBJECT.length}-`)).status).toBe(416);
  });

  it('serves many readers at once, each its own bytes', async () => {
    const P = OBJECT_PIECE_BYTES;
    const reads = Array.from({ length: 12 }, (_, i) => {
      const start = (i * 431_017) % OBJECT.length;
      const end = Math.min(OBJECT.length - 1, start + 2 * P + i);
      return client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'random.bin', Range: `bytes=${start}-${end}` })).then(async (answer) => ({
        start,
        end,
        bytes: Buffer.from(await answer.Body!.transformToByteArray()),
      }));
    });
    for (const { start, end, bytes } of await Promise.all(reads)) expect(bytes.equals(OBJECT.subarray(start, end + 1)), `bytes=${start}-${end}`).toBe(true);
  });

  it('copies an object inside the server whole, and goes on serving after a reader leaves mid-body', async () => {
    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy.bin', CopySource: `${BUCKET}/random.bin` }));
    expect(digest((await plainGet('copy.bin')).bytes)).toBe(digest(OBJECT));
    await new Promise<void>((resolve, reject) => {
      get(`${server.url}/${BUCKET}/random.bin`, (res) => {
        res.once('data', () => {
          res.destroy();
          resolve();
        });
      }).on('error', reject);
    });
    expect(digest((await plainGet('random.bin')).bytes)).toBe(digest(OBJECT));
  });
});
