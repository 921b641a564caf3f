// Writing and reading the values a job keeps in the object store (pipeline/data/value-ref.ts): each put is one whole
// object (S3 never shows a half-written one), the bucket is created when missing, and every read is checked against
// the reference's length and sha256. Errors name the store and the object.
import { createHash } from 'node:crypto';
import { describeS3Error } from './s3-objects.ts';
import { S3Connection, putCreatingBucket, readS3Settings, type S3Settings } from './s3-settings.ts';
import { refLocation, type ValueRef } from './value-ref.ts';

/** The object store could not take or give back a value; the message names the store and the object. */
export class ValueStoreError extends Error {
  override readonly name = 'ValueStoreError';
}

/** Whether these AWS settings name an object store to write to: an endpoint or credentials (not unsigned AWS S3). */
export function objectStoreConfigured(settings: S3Settings): boolean {
  return settings.endpoint !== undefined || settings.accessKeyId !== undefined;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ValueStore {
  private readonly endpoint: string;

  constructor(
    private readonly s3: S3Connection,
    settings: S3Settings,
  ) {
    this.endpoint = settings.endpoint ?? `AWS S3 (${settings.region ?? 'us-east-1'})`;
  }

  private fail(action: string, name: string, bucket: string, err: unknown): ValueStoreError {
    const { why } = describeS3Error(err, bucket, this.endpoint);
    return new ValueStoreError(`the object store at ${this.endpoint} could not ${action} ${name}: ${why}`);
  }

  async put(bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<ValueRef> {
    const name = `s3://${bucket}/${key}`;
    try {
      await putCreatingBucket(this.s3, bucket, key, bytes, contentType);
    } catch (err) {
      throw this.fail('store', name, bucket, err);
    }
    return { $ref: name, bytes: bytes.length, contentType, sha256: sha256(bytes) };
  }

  async get(ref: ValueRef): Promise<Buffer> {
    const { bucket, key } = refLocation(ref);
    let bytes: Buffer;
    try {
      const { client, sdk } = await this.s3.open();
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      bytes = Buffer.from(await answer.Body!.transformToByteArray());
    } catch (err) {
      throw this.fail('read', ref.$ref, bucket, err);
    }
    if (bytes.length !== ref.bytes || sha256(bytes) !== ref.sha256) {
      throw new ValueStoreError(`${ref.$ref} in the object store at ${this.endpoint} is not the value stored there (${bytes.length} bytes, ${ref.bytes} expected, or other content)`);
    }
    return bytes;
  }
}

const clients = new Map<string, ValueStore>();

/** The value store of these AWS settings (an action's bound parameters, a host's environment), one per settings. */
export function valueStoreFor(source: Record<string, unknown>): ValueStore | undefined {
  const settings = readS3Settings(source);
  if (!objectStoreConfigured(settings)) return undefined;
  const id = JSON.stringify(settings);
  let store = clients.get(id);
  if (!store) {
    store = new ValueStore(new S3Connection(settings, { connectTimeoutMs: 3000, maxAttempts: 3 }), settings);
    clients.set(id, store);
  }
  return store;
}
