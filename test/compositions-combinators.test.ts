// Every combinator openwhisk-composer documents, deployed with composer's own client and run by the embedded
// platform's conductor loop, with the result its documentation gives; fork/join through a real Redis.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../platform/index.ts';
import { activation, annotation, invokeBlocking } from './helpers/platform-client.ts';

const require = createRequire(import.meta.url);
// openwhisk-composer is CommonJS without typings.
const composer = require('openwhisk-composer') as any;
const composerClient = require('openwhisk-composer/client') as (options: object, basic?: boolean) => any;

// Variables of `composer.let`: functions see them in the conductor, where they are evaluated from their source.
declare let attempts: number;
declare let n: number;

const REDIS = { redis: { uri: process.env.REDIS_URL || 'redis://127.0.0.1:6379' } };

let platform: Platform;
let wsk: any;

beforeAll(async () => {
  // Composer's own deploy sends its generated conductor as is: `parallel`/`map` need redis 3, which a real OpenWhisk
  // gives only through a custom image; the platform's opt-in stands in for that image here.
  platform = await startPlatform({ port: 0, composerRedis3: true });
  wsk = composerClient({ apihost: platform.url, api_key: platform.auth, namespace: '_' }, true);
  const actions: Record<string, string> = {
    inc: 'function main(p) { return { n: (p.n || 0) + 1 }; }',
    double: 'function main(p) { return { n: p.n * 2 }; }',
    fail: 'function main(p) { return { error: "failed at " + p.n }; }',
    slow: 'function main(p) { return new Promise((r) => setTimeout(() => r({ n: p.n }), p.ms)); }',
  };
  await Promise.all(Object.entries(actions).map(([name, action]) => wsk.actions.create({ name, action, overwrite: true })));
});
afterAll(async () => {
  await platform?.stop();
});

/** Deploys with composer's own client: embedded actions first, then the conductor action. */
async function deploy(name: string, composition: any, timeout?: number): Promise<void> {
  await wsk.compositions.deploy(Object.assign(composition.compile(), { name }), true, undefined, undefined, timeout);
}

async function run(name: string, composition: any, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  await deploy(name, composition);
  const a = await invokeBlocking(wsk, name, params);
  return a.response.result;
}

describe('composer combinators', () => {
  it('sequence, action, function, literal, empty', async () => {
    expect(await run('c-seq', composer.sequence('inc', 'double', composer.action('inc')), { n: 1 })).toEqual({ n: 5 });
    expect(await run('c-fn', composer.function(({ x, y }: any) => ({ product: x * y })), { x: 6, y: 7 })).toEqual({ product: 42 });
    expect(await run('c-lit', composer.literal({ message: 'Hello, World!' }), { n: 1 })).toEqual({ message: 'Hello, World!' });
    expect(await run('c-val', composer.value(42))).toEqual({ value: 42 });
    expect(await run('c-empty', composer.empty(), { a: 1 })).toEqual({ a: 1 });
    // A function's exception is an error object.
    expect(await run('c-throw', composer.function(() => { throw new Error('boom'); }))).toEqual({
      error: 'Function combinator threw an exception at AST node root (see log for details)',
    });
  });

  it('if and if_nosave', async () => {
    const c = composer.if((p: any) => p.n % 2 === 0, (p: any) => { p.n /= 2; });
    expect(await run('c-if', c, { n: 28 })).toEqual({ n: 14 });
    expect(await run('c-if', c, { n: 7 })).toEqual({ n: 7 });
    const nosave = composer.if_nosave((p: any) => { p.value = p.n % 2 === 0; }, (p: any) => { p.n /= 2; });
    expect(await run('c-if-nosave', nosave, { n: 28 })).toEqual({ n: 14, value: true });
  });

  it("the README's demo: authenticate, then success or failure (actions deployed with the composition)", async () => {
    await deploy(
      'demo',
      composer.if(
        composer.action('authenticate', { action: function ({ password }: any) { return { value: password === 'abc123' }; } }),
        composer.action('success', { action: function () { return { message: 'success' }; } }),
        composer.action('failure', { action: function () { return { message: 'failure' }; } }),
      ),
    );
    const ok = await invokeBlocking(wsk, 'demo', { password: 'abc123' });
    expect(ok.response.result).toEqual({ message: 'success' });
    const no = await invokeBlocking(wsk, 'demo', { password: 'passw0rd' });
    expect(no.response).toMatchObject({ status: 'success', result: { message: 'failure' } });
    // Records as OpenWhisk keeps them: conductor, authenticate, conductor, failure, conductor.
    expect(annotation(no, 'conductor')).toBe(true);
    expect(annotation(no, 'kind')).toBe('sequence');
    expect(annotation(no, 'topmost')).toBe(true);
    const children = await Promise.all(no.logs.map((id) => activation(wsk, id)));
    expect(children.map((c) => c.name)).toEqual(['demo', 'authenticate', 'demo', 'failure', 'demo']);
    for (const c of children) {
      expect(c.cause).toBe(no.activationId);
      expect(annotation(c, 'causedBy')).toBe('sequence');
    }
    const conductor = await wsk.actions.get({ name: 'demo' });
    const keys = conductor.annotations.map((a: { key: string }) => a.key);
    expect(keys).toEqual(expect.arrayContaining(['conductor', 'composerVersion', 'conductorVersion', 'provide-api-key']));
  });

  it('while, while_nosave, dowhile, dowhile_nosave, repeat', async () => {
    const halve = (p: any) => { p.n /= 2; };
    const even = (p: any) => p.n % 2 === 0;
    expect(await run('c-while', composer.while(even, halve), { n: 28 })).toEqual({ n: 7 });
    expect(await run('c-while-nosave', composer.while_nosave((p: any) => { p.value = p.n % 2 === 0; }, halve), { n: 28 })).toEqual({ n: 7, value: false });
    expect(await run('c-dowhile', composer.dowhile(halve, even), { n: 7 })).toEqual({ n: 3.5 });
    expect(await run('c-dowhile-nosave', composer.dowhile_nosave(halve, (p: any) => { p.value = p.n % 2 === 0; }), { n: 28 })).toEqual({ n: 7, value: false });
    expect(await run('c-repeat', composer.repeat(3, 'inc'), { n: 0 })).toEqual({ n: 3 });
  });

  it('try, finally, retry', async () => {
    expect(await run('c-try', composer.try('fail', (p: any) => ({ handled: p.error })), { n: 1 })).toEqual({ handled: 'failed at 1' });
    expect(await run('c-try-ok', composer.try('inc', () => ({ handled: true })), { n: 1 })).toEqual({ n: 2 });
    expect(await run('c-finally', composer.finally('fail', (p: any) => ({ finalized: p.error })), { n: 2 })).toEqual({ finalized: 'failed at 2' });
    const flaky = composer.let({ attempts: 0 }, composer.retry(2, () => (++attempts < 3 ? { error: `attempt ${attempts}` } : { attempts })));
    expect(await run('c-retry', flaky)).toEqual({ attempts: 3 });
    const tooFlaky = composer.let({ attempts: 0 }, composer.retry(1, () => (++attempts < 3 ? { error: `attempt ${attempts}` } : { attempts })));
    const a = await (deploy('c-retry-out', tooFlaky).then(() => invokeBlocking(wsk, 'c-retry-out')));
    expect(a.response).toMatchObject({ status: 'application error', success: false, result: { error: 'attempt 2' } });
  });

  it('let and mask', async () => {
    expect(await run('c-let', composer.let({ n: 42 }, () => ({ n }), 'inc', (p: any) => { n = p.n; }, () => ({ n }))))
      .toEqual({ n: 43 });
    // The documented loop template: masked inner declarations, { value: 12 }.
    const loop = (k: number, body: any) => composer.let({ n: k }, composer.while(() => n-- > 0, composer.mask(body)));
    expect(await run('c-mask', composer.let({ n: 0 }, loop(3, loop(4, () => ++n))))).toEqual({ value: 12 });
  });

  it('merge, retain, retain_catch', async () => {
    expect(await run('c-merge', composer.merge('double'), { n: 3, keep: true })).toEqual({ n: 6, keep: true });
    expect(await run('c-retain', composer.retain('double'), { n: 3 })).toEqual({ params: { n: 3 }, result: { n: 6 } });
    expect(await run('c-retain-catch', composer.retain_catch('fail'), { n: 3 })).toEqual({ params: { n: 3 }, result: { error: 'failed at 3' } });
  });

  it('dynamic', async () => {
    expect(await run('c-dynamic', composer.dynamic(), { type: 'action', name: 'double', params: { n: 21 } })).toEqual({ n: 42 });
  });

  it('async: returns the spawned activation, which runs to completion', async () => {
    const r = await run('c-async', composer.async('inc'), { n: 1 });
    expect(r).toMatchObject({ method: 'async', activationId: expect.any(String) });
    const spawned = await activation(wsk, r.activationId as string);
    expect(spawned.name).toBe('c-async');
    expect(spawned.response.result).toEqual({ n: 2 });
  });

  it('parallel and map, fork/join in Redis', async () => {
    expect(await run('c-par', composer.parallel('inc', 'double'), { n: 3, $composer: REDIS })).toEqual({ value: [{ n: 4 }, { n: 6 }] });
    const values = Array.from({ length: 50 }, (_, i) => i);
    const mapped = await run('c-map', composer.map((p: any) => ({ square: p.value * p.value })), { value: values, $composer: REDIS });
    expect(mapped).toEqual({ value: values.map((v) => ({ square: v * v })) });
    expect(await run('c-map-action', composer.map('inc'), { value: [{ n: 1 }, { n: 10 }], $composer: REDIS })).toEqual({ value: [{ n: 2 }, { n: 11 }] });
    // Without Redis configured the combinator fails with composer's message.
    expect(await run('c-par-noredis', composer.parallel('inc'), { n: 1 })).toEqual({ error: 'Parallel combinator requires a properly configured redis instance' });
  });

  it('a join that outlasts the conductor waits on through /whisk.system/utils/echo', async () => {
    // Conductor timeout 8 s: the parent's BRPOP gives up after ~2 s, continues through echo and collects next time.
    await deploy('c-par-slow', composer.parallel(composer.action('slow')), 8000);
    const a = await invokeBlocking(wsk, 'c-par-slow', { n: 5, ms: 4000, $composer: REDIS });
    expect(a.response.result).toEqual({ value: [{ n: 5 }] });
    const names = (await Promise.all(a.logs.map((id) => activation(wsk, id)))).map((c) => c.name);
    expect(names).toContain('echo');
  });
});

describe('the conductor loop', () => {
  it('stops a runaway loop at the step limit with OpenWhisk’s error', async () => {
    await deploy('c-forever', composer.while(() => true, 'inc'));
    const a = await invokeBlocking(wsk, 'c-forever', { n: 0 });
    expect(a.response).toMatchObject({ status: 'application error', success: false, result: { error: 'Too many actions in the composition.' } });
    const names = await Promise.all(a.logs.map((id) => activation(wsk, id)));
    expect(names.filter((c) => c.name === 'inc')).toHaveLength(50);
  });

  it('runs a nested composition under the same accounting, as a component', async () => {
    await deploy('c-inner', composer.sequence('inc', 'double'));
    await deploy('c-outer', composer.sequence('c-inner', 'inc'));
    const a = await invokeBlocking(wsk, 'c-outer', { n: 1 });
    expect(a.response.result).toEqual({ n: 5 });
    const children = await Promise.all(a.logs.map((id) => activation(wsk, id)));
    const inner = children.find((c) => c.name === 'c-inner')!;
    expect(annotation(inner, 'conductor')).toBe(true);
    expect(annotation(inner, 'topmost')).toBe(false);
    expect(annotation(inner, 'causedBy')).toBe('sequence');
    expect(inner.cause).toBe(a.activationId);
    expect(inner.logs).toHaveLength(5);
  });

  it('feeds an unknown component back to the conductor as an error the composition can handle', async () => {
    expect(await run('c-missing', composer.try('nothing-here', (p: any) => ({ caught: p.error })))).toEqual({
      caught: "Failed to resolve action with name 'guest/nothing-here' during composition.",
    });
  });
});
