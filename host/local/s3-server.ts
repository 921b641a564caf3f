// A local S3-compatible server for trying a job on your own data with no cloud account: s3rver (npm), files kept under
// one folder. It checks the access key id but not request signatures (it is a test server, not a security boundary),
// so it listens on loopback unless told otherwise.
import S3rver from 's3rver';
import { mkdirSync, ReadStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObjectFileStream, ReleasingResponse } from './object-file-stream.ts';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** s3rver's one built-in account. */
export const S3_SERVER_ACCESS_KEY_ID = 'S3RVER';
export const S3_SERVER_SECRET_ACCESS_KEY = 'S3RVER';
export const S3_SERVER_REGION = 'us-east-1';

export interface S3ServerOptions {
  host?: string;
  /** 0: any free port. */
  port?: number;
  directory: string;
  /** Buckets to create at the start (kept if they exist). */
  buckets?: string[];
}

export interface S3Server {
  url: string;
  port: number;
  directory: string;
  /** The variables AWS tools read, set for this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Where the data lives by default: the user's cache folder, else a folder under the system's temporary directory. */
export function defaultS3Directory(env: NodeJS.ProcessEnv = process.env): { directory: string; why: string } {
  if (env.XDG_CACHE_HOME) return { directory: join(env.XDG_CACHE_HOME, 'supercompute', 's3'), why: '$XDG_CACHE_HOME/supercompute/s3' };
  let home = '';
  try {
    home = homedir();
  } catch {
    // no home directory (a service account): fall through to the temporary directory
  }
  if (home) return { directory: join(home, '.cache', 'supercompute', 's3'), why: '~/.cache/supercompute/s3' };
  return { directory: join(tmpdir(), 'supercompute-s3'), why: 'no home directory, so the temporary directory' };
}

interface ObjectStore {
  getObject(bucket: string, key: string, options?: unknown): Promise<{ content?: unknown } | null>;
}

/**
 * s3rver's store answers with its own file stream (64 KiB reads, a fresh buffer each); its answer is kept (metadata,
 * ranges, what is not satisfiable), the bytes streamed by ObjectFileStream instead (see object-file-stream.ts).
 */
function streamObjectsInPieces(app: S3rver): void {
  const store = (app as unknown as { store: ObjectStore }).store;
  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, options) => {
    const object = await getObject(bucket, key, options);
    const content = object?.content;
    if (object && content instanceof ReadStream) {
      const { path, start, end } = content as ReadStream & { start?: number; end?: number };
      content.destroy();
      object.content = new ObjectFileStream(String(path), start ?? 0, end ?? Infinity);
    }
    return object;
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.directory, { recursive: true });
  const app = new S3rver({
    directory: options.directory,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  await app.configureBuckets();
  streamObjectsInPieces(app);
  // Our own HTTP server around s3rver's handler: its `run()` leaves a listen error unhandled, which ends the process.
  const server = createServer({ ServerResponse: ReleasingResponse }, app.callback());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 9000, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    app.logger.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${options.port} on ${host} is already in use (choose another with --port)`);
    throw err;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}`;
  return {
    url,
    port: address.port,
    directory: options.directory,
    env: {
      AWS_ACCESS_KEY_ID: S3_SERVER_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3_SERVER_SECRET_ACCESS_KEY,
      AWS_REGION: S3_SERVER_REGION,
      AWS_ENDPOINT_URL: url,
      // s3rver stores a streamed upload's aws-chunked framing as data: tools must send checksums only when required.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        app.logger.close();
      }),
  };
}
