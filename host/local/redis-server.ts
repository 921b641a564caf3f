// Finding a Redis for a run: the one at REDIS_URL (default redis://127.0.0.1:6379), or a private redis-server.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const HOW_TO_GET_REDIS =
  'Install Redis (e.g. `apt-get install redis-server`, `brew install redis`, or `docker run -d -p 6379:6379 redis:7`) ' +
  'and start it, or set REDIS_URL to a Redis the actions can reach.';

export interface RedisHandle {
  url: string;
  /** True when this process started a private redis-server, which `stop` ends. */
  started: boolean;
  /** The private redis-server's process id (tests stop and resume it); absent when none was started. */
  pid?: number;
  stop(): Promise<void>;
}

/** True when something at `url` answers PING like Redis (an auth error counts: a Redis is there). */
export function pingRedis(url: string, timeoutMs = 1000): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  const tls = parsed.protocol === 'rediss:';
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  return new Promise((resolve) => {
    const socket = tls ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG') || /^-(NOAUTH|WRONGPASS|ERR)/.test(reply));
    });
  });
}

export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Starts `redis-server` on a loopback port (a free one by default), without persistence, once it accepts connections. */
export async function startRedisServer(binary: string, port?: number): Promise<RedisHandle> {
  port ??= await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'supercompute-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (code ${code}) before it was ready:\n${output.trim()}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  child.removeAllListeners('exit');
  return {
    url: `redis://127.0.0.1:${port}`,
    started: true,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    stop: () => stopChild(child, dir),
  };
}

function stopChild(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
}

/**
 * The Redis for a run: REDIS_URL (or `url`) when it answers. When none was named and nothing answers at the default,
 * a private redis-server is started if one is installed. Otherwise it throws, saying how to get one.
 */
export async function ensureRedis(
  options: { url?: string; env?: NodeJS.ProcessEnv; defaultUrl?: string } = {},
): Promise<RedisHandle> {
  const env = options.env ?? process.env;
  const named = options.url ?? (env.REDIS_URL && env.REDIS_URL !== '' ? env.REDIS_URL : undefined);
  const url = named ?? options.defaultUrl ?? DEFAULT_REDIS_URL;
  if (await pingRedis(url)) return { url, started: false, stop: async () => {} };
  if (named !== undefined) {
    throw new Error(`No Redis answers at ${url} (from ${options.url ? '--redis-url' : 'REDIS_URL'}). ${HOW_TO_GET_REDIS}`);
  }
  const binary = findOnPath('redis-server', env);
  if (!binary) throw new Error(`No Redis answers at ${url} and redis-server is not installed. ${HOW_TO_GET_REDIS}`);
  return startRedisServer(binary);
}
