// The object-store operations a shuffle makes (whole-object PUT, GET, HEAD, list, server-side copy, delete), on the
// deployment's store (its AWS_* settings), with errors that name the store and the object. It counts what it does,
// so a job can say what its shuffle cost.
import { describeS3Error } from '../data/s3-objects.ts';
import { S3Connection, putCreatingBucket, readS3Settings, type S3Settings } from '../data/s3-settings.ts';
import { objectStoreConfigured } from '../data/value-store.ts';

/** The object store refused or failed an operation; the message names the store and the object. */
export class ShuffleStoreError extends Error {
  override readonly name = 'ShuffleStoreError';
}

/** What a shuffle moved through the store. */
export interface StoreCounts {
  puts: number;
  gets: number;
  bytesWritten: number;
  bytesRead: number;
}

export const noStoreCounts = (): StoreCounts => ({ puts: 0, gets: 0, bytesWritten: 0, bytesRead: 0 });

export class ShuffleObjects {
  readonly counts = noStoreCounts();
  private readonly endpoint: string;

  constructor(
    private readonly s3: S3Connection,
    settings: S3Settings,
  ) {
    this.endpoint = settings.endpoint ?? `AWS S3 (${settings.region ?? 'us-east-1'})`;
  }

  private fail(action: string, bucket: string, key: string, err: unknown): ShuffleStoreError {
    return new ShuffleStoreError(`the object store at ${this.endpoint} could not ${action} s3://${bucket}/${key}: ${describeS3Error(err, bucket, this.endpoint).why}`);
  }

  async put(bucket: string, key: string, bytes: Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    try {
      await putCreatingBucket(this.s3, bucket, key, bytes, contentType);
    } catch (err) {
      throw this.fail('store', bucket, key, err);
    }
    this.counts.puts++;
    this.counts.bytesWritten += bytes.length;
  }

  async get(bucket: string, key: string): Promise<Buffer> {
    try {
      const { client, sdk } = await this.s3.open();
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = Buffer.from(await answer.Body!.transformToByteArray());
      this.counts.gets++;
      this.counts.bytesRead += bytes.length;
      return bytes;
    } catch (err) {
      throw this.fail('read', bucket, key, err);
    }
  }

  /** Bytes [start, end) of an object: one ranged GET. */
  async getRange(bucket: string, key: string, start: number, end: number): Promise<Buffer> {
    try {
      const { client, sdk } = await this.s3.open();
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
      const bytes = Buffer.from(await answer.Body!.transformToByteArray());
      if (bytes.length !== end - start) throw new Error(`asked for ${end - start} bytes, got ${bytes.length}`);
      this.counts.gets++;
      this.counts.bytesRead += bytes.length;
      return bytes;
    } catch (err) {
      throw this.fail(`read bytes ${start}-${end - 1} of`, bucket, key, err);
    }
  }

  /** Whether the object exists (a missing bucket: no). */
  async exists(bucket: string, key: string): Promise<boolean> {
    const { client, sdk } = await this.s3.open();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if (describeS3Error(err, bucket, this.endpoint).missing) return false;
      throw this.fail('look for', bucket, key, err);
    }
  }

  /** Every key under `prefix` (none when the bucket is missing). */
  async list(bucket: string, prefix: string): Promise<string[]> {
    const { client, sdk } = await this.s3.open();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        if (describeS3Error(err, bucket, this.endpoint).missing) return keys;
        throw this.fail('list', bucket, prefix, err);
      }
      for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** A server-side copy of one object to another key of the same bucket. */
  async copy(bucket: string, from: string, to: string): Promise<void> {
    const { client, sdk } = await this.s3.open();
    try {
      await client.send(new sdk.CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}` }));
    } catch (err) {
      throw this.fail(`copy s3://${bucket}/${from} to`, bucket, to, err);
    }
    this.counts.puts++;
  }

  /** Deletes these keys (missing ones are no error). */
  async remove(bucket: string, keys: readonly string[]): Promise<void> {
    const { client, sdk } = await this.s3.open();
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      try {
        await client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      } catch {
        // Some servers lack the batch call: one by one.
        for (const Key of batch) await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => {});
      }
    }
  }
}

/** The shuffle store of these AWS settings (an action's bound parameters); undefined when they name none. */
export function shuffleObjectsFor(source: Record<string, unknown>): ShuffleObjects | undefined {
  const settings = readS3Settings(source);
  if (!objectStoreConfigured(settings)) return undefined;
  return new ShuffleObjects(new S3Connection(settings, { connectTimeoutMs: 3000, maxAttempts: 3 }), settings);
}
