// Objects in S3 (or an S3-compatible server): listing a key or a prefix with sizes and ETags, and reading byte ranges
// pinned to the ETag seen when listing. Errors name the object and the cause in S3's own words.
import type { Readable } from 'node:stream';
import type { S3Connection } from './s3-settings.ts';
import { DataReadError, InputSpecError, ObjectChangedError } from './errors.ts';
import type { DataSource } from './input-spec.ts';
import type { ByteReader, ObjectInfo, ObjectSlice } from './objects.ts';
import type { LentBody } from './lent-http.ts';
import { checkedBytes, contentRangeStart, contentRangeTotal } from './range-response.ts';

interface S3ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'Forbidden']);
const NETWORK = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|TimeoutError/i;

export function s3Name(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

function parseName(name: string): { bucket: string; key: string } {
  const rest = name.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** Why an S3 call failed, in a sentence; `missing` when the bucket or object does not exist (the caller's mistake). */
export function describeS3Error(err: unknown, bucket: string, endpoint: string): { why: string; missing: boolean } {
  const e = (err ?? {}) as S3ErrorLike;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return { why: `no such bucket "${bucket}"`, missing: true };
  if (name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket')) return { why: 'no such object', missing: true };
  if (DENIED.has(name) || status === 403) {
    // A HEAD's error has no body, so no code: the status is all there is.
    const detail = e.message && e.message !== 'UnknownError' && name !== 'Unknown' ? `${name}: ${e.message}` : `HTTP ${status ?? 403}`;
    return { why: `access denied by the S3 endpoint (${detail}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`, missing: false };
  }
  const message = e.message ?? String(err);
  if (/requestTimeout|TimeoutError|ETIMEDOUT/.test(`${e.code ?? ''} ${name} ${message}`)) return { why: `the S3 endpoint ${endpoint} did not answer in time (${message})`, missing: false };
  if (NETWORK.test(`${e.code ?? ''} ${name} ${message}`)) return { why: `could not reach the S3 endpoint ${endpoint} (${message})`, missing: false };
  return { why: `${name}${status ? ` (HTTP ${status})` : ''}: ${message}`, missing: false };
}

export class S3Objects implements ByteReader {
  constructor(private readonly s3: S3Connection) {}

  private async endpointName(): Promise<string> {
    try {
      const { client } = await this.s3.open();
      const endpoint = await client.config.endpoint?.();
      return endpoint ? `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}` : `of region ${await client.config.region()}`;
    } catch {
      return 'configured';
    }
  }

  private async failure(err: unknown, name: string, bucket: string, listing: boolean): Promise<Error> {
    const { why, missing } = describeS3Error(err, bucket, await this.endpointName());
    return listing && missing ? new InputSpecError(`${name}: ${why}`) : new DataReadError(name, why);
  }

  /** A HEAD's 404 has no body to say whether the bucket or the key is missing: asks about the bucket. */
  private async bucketMissing(err: unknown, bucket: string): Promise<unknown> {
    if ((err as S3ErrorLike).$metadata?.httpStatusCode !== 404) return err;
    try {
      const { client, sdk } = await this.s3.open();
      await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
      return err;
    } catch (bucketErr) {
      return (bucketErr as S3ErrorLike).$metadata?.httpStatusCode === 404 ? Object.assign(new Error('no such bucket'), { name: 'NoSuchBucket' }) : err;
    }
  }

  /** The objects a source names, with size and ETag; a missing bucket or object, or an empty prefix, is InputSpecError. */
  async list(source: Extract<DataSource, { kind: 's3-object' | 's3-prefix' }>): Promise<ObjectInfo[]> {
    const { client, sdk } = await this.s3.open();
    if (source.kind === 's3-object') {
      const name = s3Name(source.bucket, source.key);
      try {
        const head = await client.send(new sdk.HeadObjectCommand({ Bucket: source.bucket, Key: source.key }));
        return [{ name, size: head.ContentLength ?? 0, etag: head.ETag, ranges: true }];
      } catch (err) {
        throw await this.failure(await this.bucketMissing(err, source.bucket), name, source.bucket, true);
      }
    }
    const name = s3Name(source.bucket, source.prefix);
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await client.send(new sdk.ListObjectsV2Command({ Bucket: source.bucket, Prefix: source.prefix, ContinuationToken: token }));
      } catch (err) {
        throw await this.failure(err, name, source.bucket, true);
      }
      for (const item of page.Contents ?? []) {
        // A zero-byte key ending in '/' is a console's "folder", not data.
        if (item.Key === undefined || (item.Key.endsWith('/') && !item.Size)) continue;
        found.push({ name: s3Name(source.bucket, item.Key), size: item.Size ?? 0, etag: item.ETag, ranges: true });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (found.length === 0) throw new InputSpecError(`${name}: no objects under this prefix`);
    return found;
  }

  readRange(slice: ObjectSlice): AsyncGenerator<Uint8Array> {
    return this.rangeBytes(slice, false);
  }

  lendRange(slice: ObjectSlice): AsyncGenerator<Uint8Array> {
    return this.rangeBytes(slice, true);
  }

  /** The slice's bytes, lent (views of the transport's buffer) or copied. */
  private async *rangeBytes(slice: ObjectSlice, lent: boolean): AsyncGenerator<Uint8Array> {
    const { bucket, key } = parseName(slice.object);
    const { start, end } = slice;
    if (end !== undefined && end <= start) return;
    const range = start > 0 || end !== undefined ? `bytes=${start}-${end === undefined ? '' : end - 1}` : undefined;
    const { client, sdk } = await this.s3.openReads();
    let answer;
    try {
      answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, Range: range, IfMatch: slice.etag }));
    } catch (err) {
      const e = err as S3ErrorLike;
      if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412) throw ObjectChangedError.etag(slice.object, slice.etag, undefined);
      if (e.name === 'InvalidRange' || e.$metadata?.httpStatusCode === 416) {
        throw new ObjectChangedError(slice.object, `bytes ${start}-${end ?? ''} are now past its end`);
      }
      throw await this.failure(err, slice.object, bucket, false);
    }
    const body = answer.Body as (Readable & Partial<Pick<LentBody, 'lend'>>) | undefined;
    try {
      if (slice.etag !== undefined && answer.ETag !== slice.etag) throw ObjectChangedError.etag(slice.object, slice.etag, answer.ETag);
      const total = contentRangeTotal(answer.ContentRange) ?? (range === undefined ? answer.ContentLength : undefined);
      if (slice.size !== undefined && total !== undefined && total !== slice.size) {
        throw new ObjectChangedError(slice.object, `${slice.size} bytes then, ${total} now`);
      }
      const served = contentRangeStart(answer.ContentRange) ?? 0;
      if (served !== start) throw new DataReadError(slice.object, `the S3 endpoint answered bytes from ${served} when asked for ${range}`);
      if (!body) return;
      const chunks = body.lend ? body.lend() : (body as AsyncIterable<Uint8Array>);
      const checked = checkedBytes(chunks, end === undefined ? undefined : end - start, (err) => new DataReadError(slice.object, `the connection failed while reading (${err instanceof Error ? err.message : String(err)})`));
      for await (const chunk of checked) yield lent || !body.lend ? chunk : Buffer.from(chunk);
    } finally {
      body?.destroy();
    }
  }
}
