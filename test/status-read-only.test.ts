// `status` is a pure read: Redis's MONITOR shows every command its connections send while it is polled, for a running
// job (with no supervisor, which a poll only nudges; with and without a long-poll's `waitMs`, which subscribes to the
// job's end) and for a finished one, plots included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { newJobId } from '../pipeline/job/ids.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { specOf } from './helpers/job-spec.ts';
import { BASE_REDIS_URL, startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 7;
/** Everything a reader may send: reads, waiting for a job's end on its channel, and the connections' own set-up. */
const READS = new Set([
  'hmget', 'hget', 'hlen', 'hgetall', 'hkeys', 'hrandfield', 'get', 'exists', 'subscribe', 'unsubscribe', 'client', 'select', 'ping',
  'hello', 'auth', 'info',
]);

let env: PipelineEnv;
let monitor: Socket;
const seen: Array<{ addr: string; command: string }> = [];

/** A plain connection in MONITOR mode (the client library has no MONITOR): one `+` line per command Redis runs. */
async function startMonitor(): Promise<Socket> {
  const url = new URL(BASE_REDIS_URL);
  const socket = connect(Number(url.port || 6379), url.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const auth = url.password ? `AUTH ${decodeURIComponent(url.username || 'default')} ${decodeURIComponent(url.password)}\r\n` : '';
  socket.write(`${auth}MONITOR\r\n`);
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\r\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      // +1700000000.123456 [7 127.0.0.1:51234] "HMGET" "sc:job:{...}:meta" ...
      const m = /^\+\S+ \[(\d+) ([^\]]+)\] "([^"]+)"/.exec(line);
      if (m && Number(m[1]) === DB) seen.push({ addr: m[2], command: m[3].toLowerCase() });
    }
  });
  return socket;
}

beforeAll(async () => {
  env = await startPipeline({ db: DB });
  monitor = await startMonitor();
});
afterAll(async () => {
  monitor?.destroy();
  await env?.stop();
});

/** Addresses of the `status` action's Redis connections, its subscriber's included (they are named after the action). */
async function statusConnections(): Promise<Set<string>> {
  const list = String(await env.redis.sendCommand(['CLIENT', 'LIST']));
  const addrs = [...list.matchAll(/addr=(\S+) .*name=supercompute-db\d+-status-\d+/g)].map((m) => m[1]);
  return new Set(addrs);
}

async function poll(query: string): Promise<number> {
  const res = await fetch(`${env.web}/status.json?${query}`);
  await res.arrayBuffer();
  return res.status;
}

describe('status', () => {
  it('writes nothing while it reads a running job and a finished one', async () => {
    const store = new JobStore(env.redis);
    const running = newJobId();
    await store.create(running, specOf('sleep', { ms: 0 }, 4));
    await store.completeTask(running, 0, '{"slept":0}');
    const { body } = await env.submit({ kernel: 'primes', params: { below: 1e5 }, tasks: 3 });
    const finished = body.jobId as string;
    expect((await env.waitForJob(finished)).state).toBe('done');

    expect(await poll(`jobId=${running}`)).toBe(200);
    const marker = seen.length;
    for (let i = 0; i < 5; i++) {
      expect(await poll(`jobId=${running}`)).toBe(200);
      expect(await poll(`jobId=${running}&waitMs=20`)).toBe(200);
      expect(await poll(`jobId=${finished}`)).toBe(200);
      expect(await poll(`jobId=${finished}&plot=timeline`)).toBe(200);
    }
    const status = await statusConnections();
    expect(status.size).toBeGreaterThan(0);
    const fromStatus = seen.slice(marker).filter((c) => status.has(c.addr));
    expect(fromStatus.length).toBeGreaterThan(0);
    expect(fromStatus.some((c) => c.command === 'subscribe')).toBe(true);
    expect(fromStatus.filter((c) => !READS.has(c.command))).toEqual([]);
  });
});
