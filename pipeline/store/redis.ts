// One Redis connection per URL per container, reused across warm activations (and, for waiters, one subscriber
// connection beside it). The first connect fails fast when Redis is down; a connection that drops later reconnects
// with bounded backoff, and commands caught by the drop are retried once it is back (every script and command here is
// safe to repeat).
import { createClient, ClientClosedError, ClientOfflineError, ConnectionTimeoutError, DisconnectsClientError, SocketClosedUnexpectedlyError } from 'redis';
import { createHash } from 'node:crypto';
import { errorMessage, addSecret } from '../openwhisk/redact.ts';
import { StoreUnavailableError } from './unavailable.ts';

export type Redis = ReturnType<typeof createClient>;

const clients = new Map<string, Promise<Redis>>();

const CONNECT_TIMEOUT_MS = 2000;
/** How long a command waits, in all, for a dropped connection to come back before the store counts as unavailable. */
export const RECONNECT_WINDOW_MS = 8000;
const RECONNECT_TRIES = 12;

/**
 * The connection's name as Redis lists it (CLIENT LIST): the database, the action and the process, e.g.
 * `supercompute-db3-work-4242`, so an operator (or a fault injector) can tell whose connection is whose.
 */
export function clientName(url: string): string {
  let db = '0';
  try {
    db = new URL(url).pathname.replace(/^\//, '') || '0';
  } catch {
    // keep 0
  }
  const action = (process.env.__OW_ACTION_NAME ?? '').split('/').pop()?.replace(/[^A-Za-z0-9_-]/g, '') || 'client';
  return `supercompute-db${db.replace(/[^0-9]/g, '') || '0'}-${action}-${process.pid}`;
}

async function connect(url: string): Promise<Redis> {
  let everReady = false;
  const client = createClient({
    url,
    name: clientName(url),
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the first connect: two quick retries (a Redis that is down answers 503 at once). After it: backoff
      // up to 1 s a try, bounded, so a dropped connection comes back within the reconnect window.
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!everReady) return retries >= 2 ? cause : 100 * (retries + 1);
        return retries >= RECONNECT_TRIES ? cause : Math.min(1000, 50 * 2 ** retries);
      },
    },
  });
  client.on('ready', () => {
    everReady = true;
  });
  return connectOrUnavailable(client);
}

/** Connects `client`; a Redis that does not answer is the store being unavailable (503). */
async function connectOrUnavailable(client: Redis): Promise<Redis> {
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
    if (client?.isOpen && (await waitReady(client, RECONNECT_WINDOW_MS))) return client;
    clients.delete(url);
    if (client) dropSubscriber(client);
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
  const subs = all.map((p) => p.then((c) => subscribers.get(c)).catch(() => undefined));
  await Promise.all([...all, ...subs].map((p) => p.then((c) => c?.quit()).catch(() => {})));
}

// A connection that subscribes can send nothing else, so waiters get their own: one per command connection (so one
// per URL and container), made on first use and shared by every waiter in the container.
const subscribers = new WeakMap<Redis, Promise<Redis>>();

/** The subscriber connection beside `main`: its duplicate, named like it with `-sub`. */
export async function getSubscriber(main: Redis): Promise<Redis> {
  const cached = subscribers.get(main);
  if (cached) {
    const sub = await cached.catch(() => undefined);
    if (sub?.isOpen) return sub;
    // Another waiter may have replaced it meanwhile.
    if (subscribers.get(main) !== cached) return getSubscriber(main);
    subscribers.delete(main);
  }
  const name = main.options?.name;
  const pending = connectOrUnavailable(main.duplicate(name ? { name: `${name}-sub` } : {}));
  subscribers.set(main, pending);
  pending.catch(() => {
    if (subscribers.get(main) === pending) subscribers.delete(main);
  });
  return pending;
}

function dropSubscriber(main: Redis): void {
  subscribers.get(main)?.then((sub) => sub.disconnect()).catch(() => {});
  subscribers.delete(main);
}

const CONNECTION_ERRORS = [ClientClosedError, ClientOfflineError, ConnectionTimeoutError, DisconnectsClientError, SocketClosedUnexpectedlyError];

export function isConnectionError(err: unknown): boolean {
  if (CONNECTION_ERRORS.some((E) => err instanceof E)) return true;
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT)$/.test(code);
}

/** Resolves true once the client is ready again, false when it gave up (closed) or `ms` passed. */
function waitReady(client: Redis, ms: number): Promise<boolean> {
  if (client.isReady) return Promise.resolve(true);
  if (!client.isOpen) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      clearInterval(poll);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(client.isReady), ms);
    // A client that gives up reconnecting closes without an event we can rely on.
    const poll = setInterval(() => {
      if (client.isReady || !client.isOpen) done(client.isReady);
    }, 50);
    client.on('ready', onReady);
  });
}

/** Runs `fn`; a failure from a dropped connection is retried once the client has reconnected, within the window. */
async function withReconnect<T>(redis: Redis | undefined, fn: () => Promise<T>): Promise<T> {
  const until = Date.now() + RECONNECT_WINDOW_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() >= until) throw err;
      // A drop may be reported before the client notices it is offline: give it a moment to start reconnecting.
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      if (redis && !(await waitReady(redis, until - Date.now()))) throw err;
    }
  }
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
      return await withReconnect(redis, async () => {
        try {
          return await redis.evalSha(this.sha, options);
        } catch (err) {
          if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
          return await redis.eval(this.source, options);
        }
      });
    } catch (err) {
      throw new StoreUnavailableError(`Redis command failed: ${errorMessage(err)}`);
    }
  }
}

/**
 * Wraps a plain command so that its failures read as the store being unavailable; a command cut off by a dropped
 * connection is retried, with backoff, until the connection is back (given the client, as soon as it is).
 */
export async function command<T>(fn: () => Promise<T>, redis?: Redis): Promise<T> {
  try {
    return await withReconnect(redis, fn);
  } catch (err) {
    throw new StoreUnavailableError(`Redis command failed: ${errorMessage(err)}`);
  }
}
