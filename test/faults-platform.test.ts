// Fault injection in the embedded platform: each kind happens at about its rate, only to the targeted
// actions, and the same seed gives the same faults for the same sequence of activations.
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startPlatform, type Platform, type FaultOptions, type FaultDecision } from '../platform/index.ts';
import { Faults, resolveFaultOptions } from '../platform/faults.ts';
import { dropRedisConnections } from '../platform/faults-redis.ts';
import { findOnPath, startRedisServer, type RedisHandle } from '../host/local/redis-server.ts';
import { type Activation, type Client, activation, postEmpty, startWithClient } from './helpers/platform-client.ts';

const EXITED = 'The action did not produce a valid response and exited unexpectedly.';
const platforms: Platform[] = [];
afterAll(async () => {
  await Promise.all(platforms.map((p) => p.stop()));
});

async function platformWith(faults: FaultOptions): Promise<{ platform: Platform; ow: Client }> {
  const { platform, ow } = await startWithClient({ faults });
  platforms.push(platform);
  await ow.actions.create({ name: 'work', action: 'function main(p) { return { i: p.i }; }' });
  await ow.actions.create({ name: 'ctl', action: 'function main(p) { return { ctl: true }; }' });
  return { platform, ow };
}

/** The decisions without what differs between runs (activation ids). */
function pattern(log: FaultDecision[]) {
  return log.map(({ kind, n, action, fault, value }) => ({ kind, n, action, fault, value }));
}

async function outcome(p: Promise<any>): Promise<{ status: number; body: any }> {
  try {
    return { status: 200, body: await p };
  } catch (err) {
    const e = err as { statusCode?: number; error?: unknown };
    if (typeof e.statusCode !== 'number') throw err;
    return { status: e.statusCode, body: e.error };
  }
}

describe('fault options', () => {
  it('reads SUPERCOMPUTE_FAULTS under explicit options and rejects bad values clearly', () => {
    expect(resolveFaultOptions({ seed: 3 }, '{"seed": 1, "killContainer": 0.5}')).toEqual({ seed: 3, killContainer: 0.5 });
    expect(() => resolveFaultOptions({}, '{nope')).toThrow(/SUPERCOMPUTE_FAULTS must be a JSON object/);
    expect(() => resolveFaultOptions({ killContainer: 2 }, undefined)).toThrow(/killContainer must be a probability/);
    expect(() => resolveFaultOptions({ startDelayMs: [5, 1] }, undefined)).toThrow(/startDelayMs/);
    expect(() => resolveFaultOptions({ throttleBurst: { every: 2, length: 3 } }, undefined)).toThrow(/throttleBurst/);
    expect(() => resolveFaultOptions({ redisDropAt: [10] }, undefined)).toThrow(/needs faults.redisUrl/);
  });

  it('decides at the configured rates, the same way for the same seed, only for targeted actions', () => {
    const options: FaultOptions = { seed: 'rates', actions: ['work', 'pkg/*'], killContainer: 0.2, dropActivation: 0.05, throttle: 0.1 };
    const a = new Faults(options);
    const b = new Faults(options);
    for (let i = 0; i < 10_000; i++) {
      for (const f of [a, b]) {
        f.killAfter('/guest/work', `k${i}`);
        f.dropActivation('/guest/pkg/w', `d${i}`);
        f.throttleInvoke('/guest/work');
        f.killAfter('/guest/ctl', `c${i}`);
      }
    }
    expect(a.log()).toEqual(b.log());
    const s = a.stats();
    expect(s.decisions).toMatchObject({ killContainer: 10_000, dropActivation: 10_000, throttle: 10_000 });
    expect(s.injected.killContainer / 10_000).toBeCloseTo(0.2, 1);
    expect(s.injected.dropActivation / 10_000).toBeCloseTo(0.05, 1);
    expect(s.injected.throttle / 10_000).toBeCloseTo(0.1, 1);
    expect(a.log().some((d) => d.action === '/guest/ctl')).toBe(false);
    const other = new Faults({ ...options, seed: 'other' });
    for (let i = 0; i < 1000; i++) other.killAfter('/guest/work', `k${i}`);
    expect(pattern(other.log())).not.toEqual(pattern(a.log().filter((d) => d.kind === 'killContainer').slice(0, 1000)));
  });
});

describe('killed containers', () => {
  const faults: FaultOptions = { seed: 7, actions: ['work'], killContainer: 0.3, killAfterMs: [0, 5] };

  async function run() {
    const { platform, ow } = await platformWith(faults);
    const seen: { status: number; killed: boolean }[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await outcome(ow.actions.invoke({ name: 'work', params: { i }, blocking: true }));
      const a = r.body as Activation;
      seen.push({ status: r.status, killed: a.response.status === 'action developer error' });
      if (r.status !== 200) expect(a.response).toMatchObject({ status: 'action developer error', success: false, result: { error: EXITED } });
      else expect(a.response.result).toEqual({ i });
      if (i % 5 === 0) expect(await ow.actions.invoke({ name: 'ctl', blocking: true, result: true })).toEqual({ ctl: true });
    }
    return { platform, seen };
  }

  it('end as crashed containers (action developer error), at about the rate, the same for the same seed', async () => {
    const first = await run();
    const second = await run();
    const killed = first.seen.filter((s) => s.killed).length;
    expect(killed).toBe(first.platform.faults.stats().injected.killContainer);
    expect(killed).toBeGreaterThanOrEqual(3);
    expect(killed).toBeLessThanOrEqual(18);
    expect(first.platform.faults.stats().decisions.killContainer).toBe(30);
    expect(first.platform.faults.log().every((d) => d.action === '/guest/work')).toBe(true);
    expect(pattern(second.platform.faults.log())).toEqual(pattern(first.platform.faults.log()));
    expect(second.seen).toEqual(first.seen);
  });
});

describe('dropped activations', () => {
  const faults: FaultOptions = { seed: 11, actions: 'wo*', dropActivation: 0.25 };

  async function run() {
    const { platform, ow } = await platformWith(faults);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await ow.actions.invoke({ name: 'work', params: { i } });
      ids.push(r.activationId);
    }
    const ctl = await ow.actions.invoke({ name: 'ctl' });
    const dropped = new Set(platform.faults.log().filter((d) => d.fault).map((d) => d.activationId));
    for (const id of ids.filter((x) => !dropped.has(x))) expect((await activation(ow, id)).response.status).toBe('success');
    expect((await activation(ow, ctl.activationId)).response.result).toEqual({ ctl: true });
    // Every activation that was not dropped has its record; a dropped one never will.
    for (const id of dropped) expect((await outcome(ow.activations.get({ name: id }))).status).toBe(404);
    return { platform, ids, dropped };
  }

  it('are accepted with an id, never run, leave no record; at about the rate; the same for the same seed', async () => {
    const first = await run();
    expect(first.platform.faults.log().map((d) => d.activationId)).toEqual(first.ids);
    expect(first.dropped.size).toBe(first.platform.faults.stats().injected.dropActivation);
    expect(first.dropped.size).toBeGreaterThanOrEqual(4);
    expect(first.dropped.size).toBeLessThanOrEqual(20);
    const second = await run();
    expect(pattern(second.platform.faults.log())).toEqual(pattern(first.platform.faults.log()));
  });

  it('a blocking invoke of a dropped activation answers 202 with its id once the wait is over', async () => {
    const { platform } = await platformWith({ seed: 1, actions: ['work'], dropActivation: 1 });
    const res = await postEmpty(platform, '/api/v1/namespaces/_/actions/work?blocking=true&timeout=200');
    expect(res.status).toBe(202);
    const { activationId } = (await res.json()) as { activationId: string };
    expect(platform.faults.log()).toEqual([expect.objectContaining({ kind: 'dropActivation', fault: true, activationId })]);
  });
});

describe('delayed container starts', () => {
  const faults: FaultOptions = { seed: 5, actions: ['slow*'], startDelay: 0.5, startDelayMs: [150, 250] };

  async function run() {
    const { platform, ow } = await platformWith(faults);
    const records: Activation[] = [];
    for (let i = 0; i < 8; i++) {
      await ow.actions.create({ name: `slow${i}`, action: 'function main() { return {}; }' });
      records.push((await ow.actions.invoke({ name: `slow${i}`, blocking: true })) as Activation);
    }
    await ow.actions.invoke({ name: 'ctl', blocking: true });
    return { platform, records };
  }

  it('hold cold starts back by the drawn delay, at about the rate, the same for the same seed', async () => {
    const first = await run();
    const log = first.platform.faults.log();
    expect(log.map((d) => d.activationId)).toEqual(first.records.map((r) => r.activationId));
    const delayed = log.filter((d) => d.fault);
    expect(delayed.length).toBe(first.platform.faults.stats().injected.startDelay);
    expect(delayed.length).toBeGreaterThanOrEqual(1);
    expect(delayed.length).toBeLessThanOrEqual(7);
    for (const d of delayed) {
      expect(d.value).toBeGreaterThanOrEqual(150);
      expect(d.value).toBeLessThanOrEqual(250);
      const r = first.records.find((x) => x.activationId === d.activationId)!;
      const waitTime = r.annotations.find((a) => a.key === 'waitTime')!.value as number;
      expect(waitTime).toBeGreaterThanOrEqual(d.value! - 2);
    }
    const second = await run();
    expect(pattern(second.platform.faults.log())).toEqual(pattern(log));
  });
});

describe('429 answers', () => {
  const faults: FaultOptions = { seed: 9, actions: ['work'], throttle: 0.1, throttleBurst: { every: 10, length: 3 } };

  async function run() {
    const { platform, ow } = await platformWith(faults);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await outcome(ow.actions.invoke({ name: 'work', params: { i } }));
      statuses.push(r.status);
      if (r.status === 429) expect(r.body.error).toMatch(/^Too many requests in the last minute \(count: \d+, allowed: \d+\)\.$/);
      expect((await outcome(ow.actions.invoke({ name: 'ctl' }))).status).not.toBe(429);
    }
    return { platform, statuses };
  }

  it('come in bursts and at random, only for targeted actions, the same for the same seed', async () => {
    const first = await run();
    first.statuses.forEach((s, n) => {
      if (n % 10 >= 7) expect(s).toBe(429);
    });
    const random = first.statuses.filter((s, n) => n % 10 < 7 && s === 429).length;
    expect(random).toBeLessThanOrEqual(10);
    const throttled = first.statuses.filter((s) => s === 429).length;
    expect(throttled).toBe(first.platform.faults.stats().injected.throttle);
    expect(first.platform.faults.stats().decisions.throttle).toBe(40);
    const second = await run();
    expect(second.statuses).toEqual(first.statuses);
    expect(pattern(second.platform.faults.log())).toEqual(pattern(first.platform.faults.log()));
  });
});

const redisBinary = findOnPath('redis-server');

describe.skipIf(!redisBinary)('dropped Redis connections', () => {
  let redis: RedisHandle;
  afterAll(async () => {
    await redis?.stop();
  });

  /** Resolves when the server closes the client's connection (no reconnects: it reports an error). */
  const closed = (c: { once(event: 'error', f: (err: Error) => void): unknown }) =>
    new Promise<Error>((resolve) => c.once('error', resolve));

  const named = async (url: string, name: string) => {
    const c = createClient({ url, name, socket: { reconnectStrategy: false } });
    c.on('error', () => {});
    await c.connect();
    return c;
  };

  it('closes the connections of the named clients on schedule, and leaves the others alone', async () => {
    redis = await startRedisServer(redisBinary!);
    const victims = await Promise.all([0, 1, 2].map((i) => named(redis.url, `sc-action-${i}`)));
    const control = await named(redis.url, 'test-control');
    const ended = Promise.all(victims.map((c) => closed(c)));
    const platform = await startPlatform({ port: 0, faults: { redisUrl: redis.url, redisDropAt: [20], redisClientName: 'sc-action-*' } });
    platforms.push(platform);
    const [drop] = (await once(platform.faults.events, 'redisDrop')) as [FaultDecision];
    await ended;
    expect(drop.value).toBe(3);
    expect(platform.faults.stats()).toMatchObject({ injected: { redisDrop: 1 }, redisClientsDropped: 3 });
    expect(await control.ping()).toBe('PONG');
    const names = String(await control.sendCommand(['CLIENT', 'LIST']));
    expect(names).not.toMatch(/name=sc-action-/);
    expect(names).toMatch(/name=test-control/);
    // By address, sparing a listed id.
    const other = await named(redis.url, '');
    const spare = Number(await other.sendCommand(['CLIENT', 'ID']));
    const controlEnded = closed(control);
    expect(await dropRedisConnections(redis.url, { addr: '127.0.0.1:*', exceptIds: [spare] })).toBe(1);
    await controlEnded;
    expect(await other.ping()).toBe('PONG');
    await other.quit();
  });

  it('reports a failed drop without the password of the Redis URL', async () => {
    const platform = await startPlatform({ port: 0, faults: { redisUrl: 'redis://:s3cret-passw0rd@127.0.0.1:1', redisDropAt: [0] } });
    platforms.push(platform);
    const [err] = (await once(platform.faults.events, 'error')) as [Error];
    expect(err.message).toMatch(/Redis connection drop failed/);
    expect(JSON.stringify(platform.faults.stats())).not.toContain('s3cret-passw0rd');
    expect(err.message).not.toContain('s3cret-passw0rd');
  });
});
