// Namespace throttles on platforms started with low limits.
import { afterAll, describe, expect, it } from 'vitest';
import type { Platform } from '../platform/index.ts';
import { failure, startWithClient } from './helpers/platform-client.ts';
import { waitUntil } from './helpers/wait-until.ts';

const started: Platform[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

async function platformWith(limits: Record<string, number>) {
  const { platform, ow } = await startWithClient({ limits });
  started.push(platform);
  return { platform, ow };
}

describe('throttling', () => {
  it('answers 429 past concurrentInvocations', async () => {
    const { ow } = await platformWith({ concurrentInvocations: 2 });
    await ow.actions.create({ name: 'hold', action: 'function main() { return new Promise((r) => setTimeout(() => r({}), 3000)); }' });
    await ow.actions.invoke({ name: 'hold' });
    await ow.actions.invoke({ name: 'hold' });
    const err = await failure(ow.actions.invoke({ name: 'hold' }));
    expect(err.statusCode).toBe(429);
    expect(err.error.error).toBe('Too many concurrent requests in flight (count: 2, allowed: 2).');
  });

  it('answers 429 past invocationsPerMinute and firesPerMinute', async () => {
    const { ow } = await platformWith({ invocationsPerMinute: 3, firesPerMinute: 2 });
    await ow.actions.create({ name: 'quick', action: 'function main() { return {}; }' });
    for (let i = 0; i < 3; i++) await ow.actions.invoke({ name: 'quick', blocking: true });
    const err = await failure(ow.actions.invoke({ name: 'quick', blocking: true }));
    expect(err.statusCode).toBe(429);
    expect(err.error.error).toBe('Too many requests in the last minute (count: 3, allowed: 3).');

    await ow.triggers.create({ name: 't' });
    await ow.triggers.invoke({ name: 't' });
    await ow.triggers.invoke({ name: 't' });
    const fire = await failure(ow.triggers.invoke({ name: 't' }));
    expect(fire.statusCode).toBe(429);
    expect(fire.error.error).toBe('Too many requests in the last minute (count: 2, allowed: 2).');
  });
});

describe('throttling compositions', () => {
  it('counts each running component in flight, as OpenWhisk does, and never refuses an admitted sequence its components', async () => {
    const { ow } = await platformWith({ concurrentInvocations: 1 });
    await ow.actions.create({ name: 'quick', action: 'function main(p) { return { n: (p.n || 0) + 1 }; }' });
    await ow.actions.create({ name: 'hold', action: 'function main() { return new Promise((r) => setTimeout(() => r({}), 4000)); }' });
    await ow.actions.create({ name: 'three', action: { exec: { kind: 'sequence', components: ['/_/quick', '/_/quick', '/_/quick'] } } });
    await ow.actions.create({ name: 'held', action: { exec: { kind: 'sequence', components: ['/_/hold'] } } });
    expect(await ow.actions.invoke({ name: 'three', blocking: true, result: true })).toEqual({ n: 3 });

    await ow.actions.invoke({ name: 'held' });
    const refused = await waitUntil('the running component to fill the one slot', async () => {
      try {
        await ow.actions.invoke({ name: 'quick', blocking: true });
        return undefined;
      } catch (err) {
        return err as { statusCode: number; error: { error: string } };
      }
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.error.error).toBe('Too many concurrent requests in flight (count: 1, allowed: 1).');
  });
});

describe('activation store', () => {
  it('keeps only the newest records past its bound', async () => {
    const { platform, ow } = await startWithClient({ maxActivations: 3 });
    started.push(platform);
    await ow.actions.create({ name: 'one', action: 'function main() { return {}; }' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await ow.actions.invoke({ name: 'one', blocking: true })).activationId);
    expect(await ow.activations.list({ count: true })).toEqual({ activations: 3 });
    expect((await failure(ow.activations.get({ name: ids[0] }))).statusCode).toBe(404);
    expect((await ow.activations.get({ name: ids[4] })).activationId).toBe(ids[4]);
  });
});
