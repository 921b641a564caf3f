// Invocations, activation records, parameters, packages and failures on the embedded platform.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../platform/index.ts';
import { type Activation, type Client, activation, annotation, failure, postEmpty, startWithClient } from './helpers/platform-client.ts';

let platform: Platform;
let ow: Client;

beforeAll(async () => {
  ({ platform, ow } = await startWithClient());
  await ow.actions.create({ name: 'echo', action: 'function main(p) { console.log("echo", JSON.stringify(p)); return p; }' });
});
afterAll(async () => {
  await platform?.stop();
});

describe('invoke', () => {
  it('blocking returns the whole record in OpenWhisk shape', async () => {
    const a = (await ow.actions.invoke({ name: 'echo', params: { x: 1 }, blocking: true })) as unknown as Activation;
    expect(a).toMatchObject({
      namespace: 'guest',
      name: 'echo',
      subject: 'guest',
      version: '0.0.1',
      publish: false,
      response: { status: 'success', success: true, result: { x: 1 } },
    });
    expect(a.activationId).toMatch(/^[0-9a-f]{32}$/);
    expect(a).toHaveProperty('start');
    expect(a).toHaveProperty('end');
    expect(a).toHaveProperty('duration');
    expect(a.response).not.toHaveProperty('statusCode');
    expect(annotation(a, 'path')).toBe('guest/echo');
    expect(annotation(a, 'kind')).toBe('nodejs:20');
    expect(annotation(a, 'limits')).toEqual({ timeout: 60000, memory: 256, logs: 10, concurrency: 1 });
    expect(annotation(a, 'timeout')).toBe(false);
    expect(annotation(a, 'waitTime')).toEqual(expect.any(Number));
  });

  it('result=true returns only the result', async () => {
    expect(await ow.actions.invoke({ name: 'echo', params: { y: 2 }, blocking: true, result: true })).toEqual({ y: 2 });
  });

  it('non-blocking returns 202 with an id; the record, result and logs are then found', async () => {
    const { activationId } = await ow.actions.invoke({ name: 'echo', params: { z: 3 } });
    const a = await activation(ow, activationId);
    expect(a.response.result).toEqual({ z: 3 });
    expect(await ow.activations.result({ name: activationId })).toEqual({
      result: { z: 3 },
      success: true,
      status: 'success',
      size: expect.any(Number),
    });
    const { logs } = (await ow.activations.logs({ name: activationId })) as { logs: string[] };
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^\S+Z\s+stdout: echo \{"z":3\}$/);
  });

  it('sends x-openwhisk-activation-id on invoke responses', async () => {
    const res = await postEmpty(platform, '/api/v1/namespaces/_/actions/echo?blocking=true');
    const body = (await res.json()) as Activation;
    expect(res.headers.get('x-openwhisk-activation-id')).toBe(body.activationId);
  });

  it('lists activations with name, limit, skip, count, docs, since and upto', async () => {
    await ow.actions.create({ name: 'listed', action: 'function main() { return { n: 1 }; }' });
    const since = Date.now() - 1;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await ow.actions.invoke({ name: 'listed', blocking: true })) as Activation).activationId);
    const list = (await ow.activations.list({ name: 'listed' })) as Activation[];
    expect(list.map((a) => a.activationId)).toEqual([...ids].reverse());
    expect(list[0]).toMatchObject({ statusCode: 0, name: 'listed' });
    expect(list[0]).not.toHaveProperty('response');
    const docs = (await ow.activations.list({ name: 'listed', docs: true, limit: 1 })) as Activation[];
    expect(docs).toHaveLength(1);
    expect(docs[0].response.result).toEqual({ n: 1 });
    expect(((await ow.activations.list({ name: 'listed', skip: 1, limit: 1 })) as Activation[])[0].activationId).toBe(ids[1]);
    expect(await ow.activations.list({ name: 'listed', count: true })).toEqual({ activations: 3 });
    expect(await ow.activations.list({ name: 'listed', since, count: true })).toEqual({ activations: 3 });
    expect(await ow.activations.list({ name: 'listed', upto: since, count: true })).toEqual({ activations: 0 });
  });

  it('answers 404 for an unknown action or activation', async () => {
    expect((await failure(ow.actions.invoke({ name: 'missing', blocking: true }))).statusCode).toBe(404);
    expect((await failure(ow.activations.get({ name: '0'.repeat(32) }))).statusCode).toBe(404);
  });
});

describe('parameters', () => {
  it('merges package < action < invocation and respects final', async () => {
    await ow.packages.create({ name: 'params', package: { parameters: [{ key: 'a', value: 'pkg' }, { key: 'b', value: 'pkg' }, { key: 'c', value: 'pkg' }] } });
    await ow.actions.create({ name: 'params/show', action: 'function main(p) { return p; }', params: { b: 'action', c: 'action' } });
    expect(await ow.actions.invoke({ name: 'params/show', params: { c: 'invoke', d: 'invoke' }, blocking: true, result: true })).toEqual({
      a: 'pkg',
      b: 'action',
      c: 'invoke',
      d: 'invoke',
    });

    await ow.actions.create({ name: 'sealed', action: 'function main(p) { return p; }', params: { k: 'fixed' }, annotations: { final: true } });
    const err = await failure(ow.actions.invoke({ name: 'sealed', params: { k: 'override' }, blocking: true }));
    expect(err.statusCode).toBe(400);
    expect(err.error.error).toBe('Request defines parameters that are not allowed (e.g., reserved properties).');
    expect(await ow.actions.invoke({ name: 'sealed', params: { other: 1 }, blocking: true, result: true })).toEqual({ k: 'fixed', other: 1 });
  });

  it('runs an action through a package binding with the binding parameters', async () => {
    await ow.packages.create({ name: 'bound', package: { binding: { namespace: '_', name: 'params' }, parameters: [{ key: 'a', value: 'binding' }] } });
    const a = (await ow.actions.invoke({ name: 'bound/show', blocking: true })) as Activation;
    expect(a.response.result).toMatchObject({ a: 'binding', b: 'action' });
    expect(annotation(a, 'binding')).toBe('guest/bound');
    expect(annotation(a, 'path')).toBe('guest/params/show');
  });
});

describe('failures', () => {
  it('reports an application error with 502', async () => {
    await ow.actions.create({ name: 'rejects', action: 'function main() { return { error: "nope" }; }' });
    const err = await failure(ow.actions.invoke({ name: 'rejects', blocking: true }));
    expect(err.statusCode).toBe(502);
    expect(err.error).toMatchObject({ response: { status: 'application error', success: false, result: { error: 'nope' } } });
  });

  it('kills an action past its timeout', async () => {
    await ow.actions.create({
      name: 'slow',
      action: 'function main() { return new Promise((r) => setTimeout(() => r({ late: true }), 5000)); }',
      limits: { timeout: 300 },
    });
    const err = await failure(ow.actions.invoke({ name: 'slow', blocking: true }));
    expect(err.statusCode).toBe(502);
    const a = err.error as unknown as Activation;
    expect(a.response).toMatchObject({ status: 'action developer error', result: { error: 'The action exceeded its time limits of 300 milliseconds.' } });
    expect(annotation(a, 'timeout')).toBe(true);
  });

  it("kills an action past its memory limit, with OpenWhisk's answer", async () => {
    await ow.actions.create({
      name: 'hog',
      action: 'function main() { globalThis.held = Buffer.alloc(1200 * 1024 * 1024, 1); return new Promise(() => {}); }',
      limits: { memory: 256 },
    });
    const err = await failure(ow.actions.invoke({ name: 'hog', blocking: true }));
    expect(err.statusCode).toBe(502);
    const a = err.error as unknown as Activation;
    expect(a.response).toMatchObject({ status: 'action developer error', success: false, result: { error: 'The action exhausted its memory and was aborted.' } });
  });

  it('answers 202 when a blocking invoke outlasts ?timeout', async () => {
    await ow.actions.create({ name: 'waits', action: 'function main() { return new Promise((r) => setTimeout(() => r({ done: true }), 1500)); }' });
    const res = await postEmpty(platform, '/api/v1/namespaces/_/actions/waits?blocking=true&timeout=100');
    expect(res.status).toBe(202);
    const { activationId } = (await res.json()) as { activationId: string };
    expect((await activation(ow, activationId)).response.result).toEqual({ done: true });
  });

  it('survives a crashing action', async () => {
    await ow.actions.create({ name: 'crash', action: 'function main() { process.exit(3); }' });
    const err = await failure(ow.actions.invoke({ name: 'crash', blocking: true }));
    expect(err.statusCode).toBe(502);
    expect((err.error as unknown as Activation).response.status).toBe('action developer error');
    expect(await ow.actions.invoke({ name: 'echo', params: { alive: true }, blocking: true, result: true })).toEqual({ alive: true });
  });

  it('rejects a payload over 1 MiB with 413', async () => {
    const err = await failure(ow.actions.invoke({ name: 'echo', params: { big: 'x'.repeat(1024 * 1024 + 10) }, blocking: true }));
    expect(err.statusCode).toBe(413);
    expect(err.error.error).toMatch(/^Request larger than allowed: \d+ > 1048576 bytes\.$/);
  });
});
