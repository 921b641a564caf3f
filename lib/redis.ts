// One Redis connection per URL per container, reused across warm activations; fails fast when Redis is down.
import { createClient } from 'redis';
import { createHash } from 'node:crypto';
import { errorMessage, addSecret } from './redact.ts';

export type Redis = ReturnType<typeof createClient>;

/** Redis could not be reached or answered with an error: the entry action answers 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

const clients = new Map<string, Promise<Redis>>();

const CONNECT_TIMEOUT_MS = 2000;

async function connect(url: string): Promise<Redis> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Two quick retries, then give up; the next call opens a fresh connection.
      reconnectStrategy: (retries: number, cause: Error) => (retries >= 2 ? cause : 100 * (retries + 1)),
    },
  });
  client.on('error', () => {
    // Surfaced through the failing command or connect(); a listener keeps the process alive.
  });
  try {
    await client.connect();
  } catch (err) {
    client.disconnect().catch(() => {});
    throw new StoreUnavailableError(`Redis is unreachable: ${errorMessage(err)}`);
  }
  return client;
}

export async function getRedis(url: string): Promise<Redis> {
  addSecret(url);
  const cached = clients.get(url);
  if (cached) {
    const client = await cached.catch(() => undefined);
    if (client?.isReady) return client;
    clients.delete(url);
    client?.disconnect().catch(() => {});
  }
  const pending = connect(url);
  clients.set(url, pending);
  pending.catch(() => clients.delete(url));
  return pending;
}

export async function closeAll(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((p) => p.then((c) => c.quit()).catch(() => {})));
}

/** A Lua script run by EVALSHA, loaded with EVAL the first time a server lacks it. */
export class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      try {
        return await redis.evalSha(this.sha, options);
      } catch (err) {
        if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
        return await redis.eval(this.source, options);
      }
    } catch (err) {
      throw new StoreUnavailableError(`Redis command failed: ${errorMessage(err)}`);
    }
  }
}

/** Wraps a plain command so that its failures read as the store being unavailable. */
export async function command<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StoreUnavailableError(`Redis command failed: ${errorMessage(err)}`);
  }
}
