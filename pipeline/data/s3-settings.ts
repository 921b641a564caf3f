// An S3 client configured the way AWS tools are (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_REGION, AWS_ENDPOINT_URL), from a plain object: an action gets them as bound parameters, a host process from its
// environment. The endpoint is the operator's setting, so it is not held to the URL policy that job-supplied URLs are.
import type { S3Client } from '@aws-sdk/client-s3';

export interface S3Settings {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Default `us-east-1`. */
  region?: string;
  /** An S3-compatible server (`http://127.0.0.1:9000`); requests are then path-style (`ENDPOINT/BUCKET/KEY`). */
  endpoint?: string;
}

export interface S3ClientOptions {
  /** Time to open a connection, ms (default 5 s). */
  connectTimeoutMs?: number;
  /** Longest silence on an open connection, ms (default 30 s). */
  idleTimeoutMs?: number;
  /** Tries per request, the first included (default 3: the SDK's standard retry with backoff). */
  maxAttempts?: number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The settings named as AWS names them (`AWS_ACCESS_KEY_ID`, …), from the environment or an action's parameters. */
export function readS3Settings(source: Record<string, unknown>): S3Settings {
  return {
    accessKeyId: text(source.AWS_ACCESS_KEY_ID),
    secretAccessKey: text(source.AWS_SECRET_ACCESS_KEY),
    sessionToken: text(source.AWS_SESSION_TOKEN),
    region: text(source.AWS_REGION) ?? text(source.AWS_DEFAULT_REGION),
    endpoint: text(source.AWS_ENDPOINT_URL_S3) ?? text(source.AWS_ENDPOINT_URL),
  };
}

export type S3Sdk = typeof import('@aws-sdk/client-s3');

let sdk: Promise<S3Sdk> | undefined;

/**
 * The AWS SDK, loaded on first use: most activations never touch S3, and loading the SDK was most of a kernel
 * container's cold start.
 */
export function s3Sdk(): Promise<S3Sdk> {
  // The SDK's range is pinned to releases that run on Node 20 (README, "Node 20 and the AWS SDK"): its notice that later
  // releases need Node 22 is for whoever moves that pin, not for every command's output and every activation's logs.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (sdk ??= import('@aws-sdk/client-s3'));
}

/** A client for these settings and the SDK's commands, made on first use. */
export class S3Connection {
  private opened?: Promise<{ client: S3Client; sdk: S3Sdk }>;
  private openedReads?: Promise<{ client: S3Client; sdk: S3Sdk }>;

  constructor(
    private readonly settings: S3Settings,
    private readonly options: S3ClientOptions = {},
  ) {}

  open(): Promise<{ client: S3Client; sdk: S3Sdk }> {
    return (this.opened ??= s3Sdk().then((loaded) => ({ client: newS3Client(loaded, this.settings, this.options), sdk: loaded })));
  }

  /**
   * A client for reading objects' bytes: the same settings, its answers' bodies read through the lent transport
   * (pipeline/data/lent-http.ts), which reads without a buffer per socket read. For GETs only.
   */
  openReads(): Promise<{ client: S3Client; sdk: S3Sdk }> {
    return (this.openedReads ??= Promise.all([s3Sdk(), import('./lent-s3-handler.ts')]).then(([loaded, { LentS3Handler }]) => {
      const handler = new LentS3Handler({ connectTimeoutMs: this.options.connectTimeoutMs ?? 5_000, idleTimeoutMs: this.options.idleTimeoutMs ?? 30_000 });
      return { client: newS3Client(loaded, this.settings, this.options, handler), sdk: loaded };
    }));
  }
}

/**
 * Writes one object whole, creating its bucket first when it is missing (another writer may create it meanwhile):
 * where the pipeline keeps what it stores (large values, shuffle partitions, dataset parts).
 */
export async function putCreatingBucket(connection: S3Connection, bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<void> {
  const { client, sdk } = await connection.open();
  const send = () => client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, ContentLength: bytes.length }));
  try {
    await send();
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
    await client.send(new sdk.CreateBucketCommand({ Bucket: bucket })).catch((createErr: { name?: string }) => {
      if (createErr.name !== 'BucketAlreadyOwnedByYou' && createErr.name !== 'BucketAlreadyExists') throw createErr;
    });
    await send();
  }
}

/** A client for these settings (the SDK loaded first). */
export async function createS3Client(settings: S3Settings, options: S3ClientOptions = {}): Promise<S3Client> {
  return (await new S3Connection(settings, options).open()).client;
}

/**
 * Without an access key the client signs nothing (public buckets): it never falls back to the SDK's credential chain,
 * which inside an action would reach for the cloud's metadata service.
 */
function newS3Client({ S3Client }: S3Sdk, settings: S3Settings, options: S3ClientOptions, transport?: object): S3Client {
  const { accessKeyId, secretAccessKey, sessionToken, endpoint } = settings;
  if (accessKeyId !== undefined && secretAccessKey === undefined) throw new Error('AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not');
  const auth = accessKeyId !== undefined && secretAccessKey !== undefined
    ? { credentials: { accessKeyId, secretAccessKey, sessionToken } }
    : { credentials: { accessKeyId: '', secretAccessKey: '' }, signer: { sign: async <T>(request: T) => request } };
  return new S3Client({
    region: settings.region ?? 'us-east-1',
    ...(endpoint !== undefined ? { endpoint, forcePathStyle: true } : {}),
    ...auth,
    maxAttempts: options.maxAttempts ?? 3,
    // Without throwOnRequestTimeout the SDK only logs a request past its timeout, and waits on.
    requestHandler: transport ?? { connectionTimeout: options.connectTimeoutMs ?? 5_000, requestTimeout: options.idleTimeoutMs ?? 30_000, throwOnRequestTimeout: true },
    // Checksums only where S3 requires them: S3-compatible servers do not all speak the newer checksum trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
