// Entity CRUD on the embedded platform through the official openwhisk client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openwhisk from 'openwhisk';
import AdmZip from 'adm-zip';
import type { Platform } from '../platform/index.ts';
import { type Client, basicAuth, startWithClient } from './helpers/platform-client.ts';

let platform: Platform;
let ow: Client;

beforeAll(async () => {
  ({ platform, ow } = await startWithClient());
});
afterAll(async () => {
  await platform?.stop();
});

const code = 'function main(params) { return { ok: true, params }; }';

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { statusCode: number }).statusCode;
  }
}

describe('actions', () => {
  it('creates, gets, updates, lists and deletes', async () => {
    const created = await ow.actions.create({ name: 'crud', action: code, params: { a: 1 }, annotations: { description: 'x' } });
    expect(created).toMatchObject({
      namespace: 'guest',
      name: 'crud',
      version: '0.0.1',
      publish: false,
      exec: { kind: 'nodejs:20', code, binary: false },
      parameters: [{ key: 'a', value: 1 }],
      limits: { timeout: 60000, memory: 256, logs: 10, concurrency: 1 },
    });
    expect(created.annotations).toEqual(expect.arrayContaining([{ key: 'description', value: 'x' }, { key: 'exec', value: 'nodejs:20' }]));

    expect(await statusOf(ow.actions.create({ name: 'crud', action: code }))).toBe(409);

    // Omitted fields keep their values; the version is bumped.
    const updated = await ow.actions.update({ name: 'crud', limits: { timeout: 5000 } });
    expect(updated).toMatchObject({ version: '0.0.2', parameters: [{ key: 'a', value: 1 }], exec: { code } });
    expect(updated.limits).toMatchObject({ timeout: 5000, memory: 256 });

    const noCode = await ow.actions.get({ name: 'crud', code: false });
    expect(noCode.exec).not.toHaveProperty('code');
    expect((await ow.actions.get('crud')).exec).toHaveProperty('code', code);

    const list = await ow.actions.list();
    expect(list.map((a: { name: string }) => a.name)).toContain('crud');
    expect(list[0]).not.toHaveProperty('exec.code');

    await ow.actions.delete('crud');
    expect(await statusOf(ow.actions.get('crud'))).toBe(404);
    expect(await statusOf(ow.actions.delete('crud'))).toBe(404);
  });

  it('lists with limit, skip and count', async () => {
    for (const n of ['l1', 'l2', 'l3']) await ow.actions.create({ name: n, action: code });
    const all = await ow.actions.list();
    const count = (await ow.actions.list({ count: true })) as unknown as { actions: number };
    expect(count.actions).toBe(all.length);
    const page = await ow.actions.list({ limit: 1, skip: 1 });
    expect(page).toHaveLength(1);
    expect(page[0].name).toBe(all[1].name);
  });

  it('infers binary from base64 code and keeps a zip main', async () => {
    const zip = new AdmZip();
    zip.addFile('package.json', Buffer.from(JSON.stringify({ main: 'lib.js' })));
    zip.addFile('lib.js', Buffer.from('exports.run = (p) => ({ zipped: p.x * 2 });'));
    const action = await ow.actions.create({ name: 'zipped', action: zip.toBuffer(), exec: { main: 'run' } });
    expect(action.exec).toMatchObject({ kind: 'nodejs:20', binary: true, main: 'run' });
    expect(await ow.actions.invoke({ name: 'zipped', params: { x: 21 }, blocking: true, result: true })).toEqual({ zipped: 42 });
  });

  it('rejects bad names, limits and kinds with 400', async () => {
    expect(await statusOf(ow.actions.create({ name: 'bad!name', action: code }))).toBe(400);
    expect(await statusOf(ow.actions.create({ name: 'x', action: code, limits: { timeout: 50 } }))).toBe(400);
    expect(await statusOf(ow.actions.create({ name: 'x', action: code, limits: { memory: 4096 } }))).toBe(400);
    expect(await statusOf(ow.actions.create({ name: 'x', action: code, kind: 'cobol:1' }))).toBe(400);
  });

  it('answers 401 to bad credentials and 403 to another namespace', async () => {
    const bad = openwhisk({ apihost: platform.url, api_key: 'nobody:wrong' });
    const err = await bad.actions.list().catch((e: { statusCode: number; error: unknown }) => e);
    expect(err).toMatchObject({ statusCode: 401, error: { error: 'The supplied authentication is invalid' } });
    expect((err as { error: { code: string } }).error.code).toEqual(expect.any(String));
    expect(await statusOf(ow.actions.list({ namespace: 'someone-else' }))).toBe(403);
  });
});

describe('packages', () => {
  it('creates, lists, gets with contents and deletes with force', async () => {
    const pkg = await ow.packages.create({ name: 'tools', package: { parameters: [{ key: 'p', value: 1 }] } });
    expect(pkg).toMatchObject({ name: 'tools', namespace: 'guest', binding: {}, parameters: [{ key: 'p', value: 1 }] });
    expect(await statusOf(ow.packages.create({ name: 'tools' }))).toBe(409);
    await ow.actions.create({ name: 'tools/one', action: code });
    // The slash may come URL-encoded.
    const encoded = await fetch(`${platform.url}/api/v1/namespaces/_/actions/tools%2Fone`, {
      headers: { authorization: basicAuth(platform.auth) },
    });
    expect(encoded.status).toBe(200);
    expect(await encoded.json()).toMatchObject({ name: 'one', namespace: 'guest/tools' });

    const got = await ow.packages.get('tools');
    expect(got.actions).toEqual([expect.objectContaining({ name: 'one' })]);
    expect((await ow.packages.list()).map((p: { name: string }) => p.name)).toContain('tools');

    const updated = await ow.packages.update({ name: 'tools', package: { annotations: [{ key: 'a', value: 2 }] } });
    expect(updated).toMatchObject({ version: '0.0.2', parameters: [{ key: 'p', value: 1 }] });

    expect(await statusOf(ow.packages.delete('tools'))).toBe(409);
    // The client passes `qs` through: the way to send wsk's ?force=true.
    await ow.packages.delete({ name: 'tools', qs: { force: true } });
    expect(await statusOf(ow.packages.get('tools'))).toBe(404);
    expect(await statusOf(ow.actions.get('tools/one'))).toBe(404);
  });
});

describe('triggers and rules', () => {
  it('create, get, list, enable, disable and delete', async () => {
    await ow.actions.create({ name: 'ruled', action: code });
    const trigger = await ow.triggers.create({ name: 'tick', trigger: { parameters: [{ key: 'k', value: 'v' }] } });
    expect(trigger).toMatchObject({ name: 'tick', parameters: [{ key: 'k', value: 'v' }], limits: {} });
    expect(await statusOf(ow.triggers.create({ name: 'tick' }))).toBe(409);

    const rule = await ow.rules.create({ name: 'tick-rule', trigger: 'tick', action: 'ruled' });
    expect(rule).toMatchObject({
      name: 'tick-rule',
      status: 'active',
      trigger: { name: 'tick', path: 'guest' },
      action: { name: 'ruled', path: 'guest' },
    });
    expect((await ow.triggers.get('tick')).rules).toEqual({
      'guest/tick-rule': { action: { name: 'ruled', path: 'guest' }, status: 'active' },
    });

    await ow.rules.disable({ name: 'tick-rule' });
    expect((await ow.rules.get('tick-rule')).status).toBe('inactive');
    await ow.rules.enable({ name: 'tick-rule' });
    expect((await ow.rules.get('tick-rule')).status).toBe('active');
    expect((await ow.rules.list()).map((r: { name: string }) => r.name)).toContain('tick-rule');
    expect((await ow.triggers.list()).map((t: { name: string }) => t.name)).toContain('tick');

    const updated = await ow.triggers.update({ name: 'tick', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/alarm' }] } });
    expect(updated).toMatchObject({ version: '0.0.2', parameters: [{ key: 'k', value: 'v' }] });

    await ow.rules.delete('tick-rule');
    expect(await statusOf(ow.rules.get('tick-rule'))).toBe(404);
    await ow.triggers.delete('tick');
    expect(await statusOf(ow.triggers.get('tick'))).toBe(404);
  });

  it('rejects a rule whose trigger does not exist', async () => {
    expect(await statusOf(ow.rules.create({ name: 'dangling', trigger: 'nope', action: 'ruled' }))).toBe(400);
  });
});

describe('namespaces', () => {
  it('lists the namespace and its limits', async () => {
    expect(await ow.namespaces.list()).toEqual(['guest']);
    const auth = { authorization: basicAuth(platform.auth) };
    const res = await fetch(`${platform.url}/api/v1/namespaces/_/limits`, { headers: auth });
    expect(await res.json()).toMatchObject({ concurrentInvocations: 10000, invocationsPerMinute: 600000, firesPerMinute: expect.any(Number) });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await fetch(`${platform.url}/api/v1/namespaces/_/actions/nothing-here`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'The requested resource does not exist.', code: expect.any(String) });
  });
});
