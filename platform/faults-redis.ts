// Drops client connections on a Redis server (CLIENT LIST, then CLIENT KILL ID), as a network fault
// would: the platform cannot see the actions' own sockets, so it asks the server to close them.
import { createClient } from 'redis';

export interface RedisClientFilter {
  /** `*` pattern over the client's name (set by `CLIENT SETNAME`, or the client library's `name` option). */
  name?: string;
  /** `*` patterns over the client's name: any of them. */
  names?: string[];
  /** `*` pattern over the client's address as the server sees it, `ip:port`. */
  addr?: string;
  /** Keep the connection whose id is listed (e.g. a test's control connection). */
  exceptIds?: number[];
}

export interface RedisClientInfo {
  id: number;
  addr: string;
  laddr: string;
  name: string;
  flags: string;
}

const OWN_NAME = 'supercompute-platform-faults';

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export function parseClientList(text: string): RedisClientInfo[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const f: Record<string, string> = {};
      for (const part of line.split(' ')) {
        const eq = part.indexOf('=');
        if (eq > 0) f[part.slice(0, eq)] = part.slice(eq + 1);
      }
      return { id: Number(f.id), addr: f.addr ?? '', laddr: f.laddr ?? '', name: f.name ?? '', flags: f.flags ?? '' };
    });
}

/**
 * Closes the matching normal client connections (never replicas, masters, or this helper's own);
 * resolves with how many the server closed. Without a filter, every other normal client goes.
 */
export async function dropRedisConnections(redisUrl: string, matching: RedisClientFilter = {}): Promise<number> {
  const client = createClient({ url: redisUrl, name: OWN_NAME, disableOfflineQueue: true, socket: { connectTimeout: 15_000, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    const own = Number(await client.sendCommand(['CLIENT', 'ID']));
    const list = parseClientList(String(await client.sendCommand(['CLIENT', 'LIST', 'TYPE', 'normal'])));
    const patterns = [...(matching.name === undefined ? [] : [matching.name]), ...(matching.names ?? [])];
    const names = patterns.length === 0 ? undefined : patterns.map(glob);
    const addr = matching.addr === undefined ? undefined : glob(matching.addr);
    const victims = list.filter(
      (c) =>
        c.id !== own &&
        c.name !== OWN_NAME &&
        !/[MS]/.test(c.flags) &&
        !(matching.exceptIds ?? []).includes(c.id) &&
        (!names || names.some((n) => n.test(c.name))) &&
        (!addr || addr.test(c.addr)),
    );
    let dropped = 0;
    for (const c of victims) dropped += Number(await client.sendCommand(['CLIENT', 'KILL', 'ID', String(c.id)]));
    return dropped;
  } finally {
    await client.quit().catch(() => client.disconnect().catch(() => {}));
  }
}
