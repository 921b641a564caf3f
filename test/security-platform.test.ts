// Security of the embedded platform: auth on every API route, loopback by default, bounded and
// validated input (413, 400, never 500, nothing stored on failure), and no secrets in what it produces.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, resolveOptions, SYSTEM_AUTH, GUEST_AUTH, type Platform } from '../platform/index.ts';
import { MAX_JSON_DEPTH } from '../platform/json-depth.ts';
import { type Client, basicAuth, clientOf, failure, startWithClient } from './helpers/platform-client.ts';

const KEY = 'c0ffee00-1111-2222-3333-444455556666:Sup3rS3cretPlatformKeyNobodyMayRead0123456789abcdefABCDEF';
const REDIS_PASS = 'redis-pass-7f3a9c';
const REDIS_URL = `redis://:${REDIS_PASS}@127.0.0.1:6379`;
const SECRET_PART = KEY.split(':')[1];
const PAYLOAD_LIMIT = 64 * 1024;
const CODE_LIMIT = 128 * 1024;

let platform: Platform;
let ow: Client;
let activationId: string;

beforeAll(async () => {
  ({ platform, ow } = await startWithClient({ auth: KEY, secrets: [REDIS_URL], limits: { maxPayloadSize: PAYLOAD_LIMIT, maxCodeSize: CODE_LIMIT } }));
  await ow.actions.create({ name: 'echo', action: 'function main(p) { return p; }' });
  await ow.actions.create({ name: 'web', action: 'function main() { return { body: "hi" }; }', annotations: { 'web-export': true } });
  await ow.packages.create({ name: 'pkg' });
  await ow.triggers.create({ name: 't' });
  await ow.rules.create({ name: 'r', trigger: 't', action: 'echo' });
  activationId = (await ow.actions.invoke({ name: 'echo', blocking: true })).activationId;
});
afterAll(async () => {
  await platform?.stop();
});

interface Answer {
  status: number;
  text: string;
  json?: any;
}

/** A raw HTTP request (node:http allows bodies on any method); a server that stops reading early is fine. */
function request(method: string, path: string, opts: { auth?: string | null; body?: string | Buffer; type?: string } = {}): Promise<Answer> {
  const url = new URL(path, platform.url);
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? basicAuth(KEY) : opts.auth;
  if (auth !== null) headers.authorization = auth;
  if (opts.body !== undefined) {
    headers['content-type'] = opts.type ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(opts.body));
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.end(opts.body);
  });
}

/** Every route of the REST API but web actions, with a plausible body. */
const ID = '0123456789abcdef0123456789abcdef';
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/v1/namespaces'],
  ['GET', '/api/v1/namespaces/_/limits'],
  ['GET', '/api/v1/namespaces/_/actions'],
  ['GET', '/api/v1/namespaces/_/actions/echo'],
  ['GET', '/api/v1/namespaces/_/actions/pkg/'],
  ['PUT', '/api/v1/namespaces/_/actions/created', { exec: { kind: 'nodejs:20', code: 'function main() { return {}; }' } }],
  ['PUT', '/api/v1/namespaces/_/actions/pkg/created', { exec: { kind: 'nodejs:20', code: 'function main() { return {}; }' } }],
  ['POST', '/api/v1/namespaces/_/actions/echo', { x: 1 }],
  ['DELETE', '/api/v1/namespaces/_/actions/echo'],
  ['GET', '/api/v1/namespaces/_/packages'],
  ['GET', '/api/v1/namespaces/_/packages/pkg'],
  ['PUT', '/api/v1/namespaces/_/packages/created', {}],
  ['DELETE', '/api/v1/namespaces/_/packages/pkg'],
  ['GET', '/api/v1/namespaces/_/triggers'],
  ['GET', '/api/v1/namespaces/_/triggers/t'],
  ['PUT', '/api/v1/namespaces/_/triggers/created', {}],
  ['POST', '/api/v1/namespaces/_/triggers/t', {}],
  ['DELETE', '/api/v1/namespaces/_/triggers/t'],
  ['GET', '/api/v1/namespaces/_/rules'],
  ['GET', '/api/v1/namespaces/_/rules/r'],
  ['PUT', '/api/v1/namespaces/_/rules/created', { trigger: '/_/t', action: '/_/echo' }],
  ['POST', '/api/v1/namespaces/_/rules/r', { status: 'inactive' }],
  ['DELETE', '/api/v1/namespaces/_/rules/r'],
  ['GET', '/api/v1/namespaces/_/activations'],
  ['GET', `/api/v1/namespaces/_/activations/${ID}`],
  ['GET', `/api/v1/namespaces/_/activations/${ID}/result`],
  ['GET', `/api/v1/namespaces/_/activations/${ID}/logs`],
];

function expectWhiskError(a: Answer, status: number): void {
  expect(a.status, a.text).toBe(status);
  expect(a.json).toEqual({ error: expect.any(String), code: expect.stringMatching(/^[0-9a-f]{32}$/) });
  expect(a.text).not.toContain(SECRET_PART);
  expect(a.text).not.toContain(REDIS_PASS);
}

/** The entities and activations, to show that a failed request stored nothing. */
async function snapshot(): Promise<string> {
  const [actions, packages, triggers, rules, activations] = await Promise.all([
    ow.actions.list({ limit: 200 }),
    ow.packages.list({ limit: 200 }),
    ow.triggers.list({ limit: 200 }),
    ow.rules.list({ limit: 200 }),
    ow.activations.list({ limit: 200 }),
  ]);
  const strip = (xs: { name: string; version: string; status?: string }[]) => xs.map((x) => [x.name, x.version, x.status]);
  return JSON.stringify([strip(actions), strip(packages), strip(triggers), strip(rules), activations.map((a: { activationId: string }) => a.activationId)]);
}

describe('listening', () => {
  it('defaults to the loopback interface', async () => {
    const saved = process.env.SUPERCOMPUTE_PLATFORM_HOST;
    delete process.env.SUPERCOMPUTE_PLATFORM_HOST;
    try {
      expect(resolveOptions({}).host).toBe('127.0.0.1');
    } finally {
      if (saved !== undefined) process.env.SUPERCOMPUTE_PLATFORM_HOST = saved;
    }
    expect(new URL(platform.url).hostname).toBe('127.0.0.1');
  });

  it('cannot be reached on the machine’s other addresses unless told to listen there', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    const port = Number(new URL(platform.url).port);
    const connects = (host: string, p: number) =>
      new Promise<boolean>((resolve) => {
        const s = net.connect({ host, port: p }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    expect(await connects('127.0.0.1', port)).toBe(true);
    for (const host of external) expect(await connects(host, port)).toBe(false);
    if (external.length > 0) {
      const open = await startPlatform({ port: 0, host: '0.0.0.0' });
      try {
        expect(await connects(external[0], Number(new URL(open.url).port))).toBe(true);
      } finally {
        await open.stop();
      }
    }
  });
});

describe('authentication', () => {
  const wrong: [string, string | null][] = [
    ['no credentials', null],
    ['a wrong key', basicAuth(`${KEY.split(':')[0]}:wrong`)],
    ['the guest key', basicAuth('23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP')],
    ['the key without its uuid', basicAuth(SECRET_PART)],
    // With a key of its own, the platform has a whisk.system key of its own too: standalone's published one is nobody's.
    ["standalone's published system key", basicAuth(SYSTEM_AUTH)],
    ['garbage', 'Basic !!!not-base64'],
    ['another scheme', `Bearer ${KEY}`],
  ];

  it.each(wrong)('every API route answers 401 to %s, and changes nothing', async (_what, auth) => {
    const before = await snapshot();
    for (const [method, path, body] of ROUTES) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth !== null) headers.authorization = auth;
      const res = await fetch(`${platform.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      expectWhiskError({ status: res.status, text, json: JSON.parse(text) }, 401);
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses strangers before reading their bodies: 401 even for oversized or malformed ones', async () => {
    expectWhiskError(await request('PUT', '/api/v1/namespaces/_/actions/x', { auth: null, body: 'x'.repeat(3 * 1024 * 1024) }), 401);
    expectWhiskError(await request('POST', '/api/v1/namespaces/_/actions/echo', { auth: null, body: '{oops' }), 401);
  });

  it('every route answers a right key (the sweep is not vacuous)', async () => {
    for (const [method, path] of ROUTES.filter(([m]) => m === 'GET')) {
      const a = await request(method, path.replace(ID, activationId));
      expect(a.status, `${method} ${path}: ${a.text}`).toBe(200);
    }
  });

  it('web actions need no key; other namespaces are forbidden', async () => {
    const res = await fetch(`${platform.url}/api/v1/web/guest/default/web.http`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hi');
    expect((await fetch(`${platform.url}/api/v1/web/guest/default/echo.json`)).status).toBe(404);
    expectWhiskError(await request('GET', '/api/v1/namespaces/someone-else/actions'), 403);
  });
});

describe("another namespace's key", () => {
  const foreign = () => basicAuth(platform.systemAuth);
  const inGuest = (path: string) => path.replace('/namespaces/_/', '/namespaces/guest/');

  it("acts on nothing of this namespace: 403 on every route that names it, and nothing changes", async () => {
    const before = await snapshot();
    for (const [method, path, body] of ROUTES.filter(([, p]) => p.includes('/namespaces/_/'))) {
      const a = await request(method, inGuest(path).replace(ID, activationId), { auth: foreign(), body: body === undefined ? undefined : JSON.stringify(body) });
      // Listing another namespace's packages is allowed, and shows only its public ones (none here).
      if (method === 'GET' && path.endsWith('/packages')) {
        expect(a.status, a.text).toBe(200);
        expect(a.json).toEqual([]);
      } else {
        expectWhiskError(a, 403);
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it("may not put a rule on this namespace's trigger, whatever action it names", async () => {
    const before = await snapshot();
    const put = (name: string, rule: object) => request('PUT', `/api/v1/namespaces/_/rules/${name}`, { auth: foreign(), body: JSON.stringify(rule) });
    expectWhiskError(await put('on-guest', { trigger: '/guest/t', action: '/whisk.system/utils/echo' }), 403);
    expectWhiskError(await put('on-guest-too', { trigger: '/guest/t', action: 'utils/echo' }), 403);
    // Not even to learn whether such a trigger exists.
    expectWhiskError(await put('on-nothing', { trigger: '/guest/no-such-trigger', action: '/whisk.system/utils/echo' }), 403);
    expect((await request('GET', '/api/v1/namespaces/_/rules', { auth: foreign() })).json).toEqual([]);
    expect((await ow.triggers.get({ name: 't' })).rules).toEqual({ 'guest/r': { action: { name: 'echo', path: 'guest' }, status: 'active' } });
    expect(await snapshot()).toBe(before);
  });

  it("may not make this namespace's actions and packages its own through a sequence or a binding", async () => {
    const put = (path: string, body: object) => request('PUT', `/api/v1/namespaces/_/${path}`, { auth: foreign(), body: JSON.stringify(body) });
    expectWhiskError(await put('actions/wrapped', { exec: { kind: 'sequence', components: ['/guest/echo'] } }), 403);
    expectWhiskError(await put('actions/wrapped', { exec: { kind: 'sequence', components: ['/whisk.system/utils/echo', '/guest/pkg/missing'] } }), 403);
    expectWhiskError(await put('packages/bound', { binding: { namespace: 'guest', name: 'pkg' } }), 403);
    // Whether a package exists elsewhere is not told either.
    expectWhiskError(await put('packages/bound', { binding: { namespace: 'guest', name: 'no-such-package' } }), 403);
    // Its own missing package is its own to be told about.
    expect((await put('packages/bound', { binding: { namespace: 'whisk.system', name: 'no-such-package' } })).status).toBe(400);
  });
});

describe('the whisk.system key', () => {
  const dataDirs: string[] = [];
  const freshDataDir = () => {
    const dir = join(mkdtempSync(join(os.tmpdir(), 'supercompute-key-')), 'data');
    dataDirs.push(dirname(dir));
    return dir;
  };
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("is generated for a platform with its own guest key, kept in its data folder for its owner only, and kept", async () => {
    const dataDir = freshDataDir();
    const first = await startPlatform({ port: 0, auth: KEY, dataDir });
    try {
      expect(first.systemAuth).not.toBe(SYSTEM_AUTH);
      expect(first.systemAuth).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[A-Za-z0-9]{64}$/);
      expect(first.systemKeyFile).toBe(join(dataDir, 'auth.whisk.system'));
      expect(readFileSync(first.systemKeyFile!, 'utf8').trim()).toBe(first.systemAuth);
      expect(statSync(first.systemKeyFile!).mode & 0o777).toBe(0o600);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      const whoami = await fetch(`${first.url}/api/v1/namespaces`, { headers: { authorization: basicAuth(first.systemAuth) } });
      expect(await whoami.json()).toEqual(['whisk.system']);
      expect((await fetch(`${first.url}/api/v1/namespaces`, { headers: { authorization: basicAuth(SYSTEM_AUTH) } })).status).toBe(401);
      // The key is masked like the guest key in the logs the platform keeps.
      const system = clientOf({ url: first.url, auth: first.systemAuth });
      await system.actions.create({ name: 'say', action: 'function main(p) { console.log(p.k); return {}; }' });
      const said = await system.actions.invoke({ name: 'say', params: { k: first.systemAuth }, blocking: true });
      expect(said.logs).toHaveLength(1);
      expect(said.logs[0]).not.toContain(first.systemAuth.split(':')[1]);
    } finally {
      await first.stop();
    }
    const again = await startPlatform({ port: 0, auth: KEY, dataDir });
    await again.stop();
    expect(again.systemAuth).toBe(first.systemAuth);
  });

  it("stays standalone's with standalone's guest key, and is whatever is configured", async () => {
    const dataDir = freshDataDir();
    const standalone = await startPlatform({ port: 0, auth: GUEST_AUTH, dataDir });
    await standalone.stop();
    expect(standalone.systemAuth).toBe(SYSTEM_AUTH);
    expect(standalone.systemKeyFile).toBeUndefined();
    const configured = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee:configured';
    const set = await startPlatform({ port: 0, auth: KEY, systemAuth: configured, dataDir });
    await set.stop();
    expect(set.systemAuth).toBe(configured);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses to start on a key file that holds no key, rather than replace it', async () => {
    const dataDir = freshDataDir();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'auth.whisk.system'), 'not a key\n');
    await expect(startPlatform({ port: 0, auth: KEY, dataDir })).rejects.toThrow(/auth\.whisk\.system does not hold a key/);
  });
});

describe('shared packages and bindings (OpenWhisk: PackageCollection)', () => {
  const system = () => clientOf({ url: platform.url, auth: platform.systemAuth });

  it("another namespace's binding is never shared, even marked public: its bound package may be private", async () => {
    await system().packages.update({ name: 'vault', package: { publish: false } });
    await system().actions.update({ name: 'vault/open', action: 'function main() { return { opened: true }; }' });
    await system().packages.update({ name: 'door', package: { publish: true, binding: { namespace: 'whisk.system', name: 'vault' } } });
    expect((await failure(ow.actions.invoke({ name: '/whisk.system/door/open', blocking: true }))).statusCode).toBe(403);
    expect((await failure(ow.actions.get({ name: '/whisk.system/door/open' }))).statusCode).toBe(403);
    expect((await failure(ow.packages.get({ name: '/whisk.system/door' }))).statusCode).toBe(403);
    expect((await failure(ow.packages.create({ name: 'through-door', package: { binding: { namespace: 'whisk.system', name: 'door' } } }))).statusCode).toBe(403);
    expect(((await ow.packages.list({ namespace: 'whisk.system' })) as { name: string }[]).map((p) => p.name)).not.toContain('door');
    // Its owner reaches its private package through it.
    expect(await system().actions.invoke({ name: 'door/open', blocking: true, result: true })).toEqual({ opened: true });
  });

  it('a binding of a package that stops being public stops working', async () => {
    await system().packages.update({ name: 'lent', package: { publish: true } });
    await system().actions.update({ name: 'lent/get', action: 'function main() { return { got: true }; }' });
    await ow.packages.create({ name: 'borrowed', package: { binding: { namespace: 'whisk.system', name: 'lent' } } });
    expect(await ow.actions.invoke({ name: 'borrowed/get', blocking: true, result: true })).toEqual({ got: true });
    await system().packages.update({ name: 'lent', package: { publish: false } });
    expect((await failure(ow.actions.invoke({ name: 'borrowed/get', blocking: true }))).statusCode).toBe(403);
    expect((await failure(ow.actions.get({ name: 'borrowed/get' }))).statusCode).toBe(403);
    await ow.packages.delete({ name: 'borrowed' });
  });
});

describe('bounded input', () => {
  const big = 'x'.repeat(Math.ceil(CODE_LIMIT * 1.4) + 1024 * 1024 + 1);

  it('answers 413 to an oversized body on every route, whatever the method, and stores nothing', async () => {
    const before = await snapshot();
    for (const [method, path] of ROUTES) {
      expectWhiskError(await request(method, path, { body: JSON.stringify({ big }) }), 413);
    }
    expectWhiskError(await request('POST', '/api/v1/web/guest/default/web.json', { body: JSON.stringify({ big }), auth: null }), 413);
    // The payload limit applies to invokes and fires; action code has its own, larger one.
    const payload = JSON.stringify({ v: 'y'.repeat(PAYLOAD_LIMIT) });
    expectWhiskError(await request('POST', '/api/v1/namespaces/_/actions/echo', { body: payload }), 413);
    expectWhiskError(await request('POST', '/api/v1/namespaces/_/triggers/t', { body: payload }), 413);
    const code = `function main() { return {}; } // ${'z'.repeat(CODE_LIMIT)}`;
    const tooMuchCode = await request('PUT', '/api/v1/namespaces/_/actions/big', { body: JSON.stringify({ exec: { kind: 'nodejs:20', code } }) });
    expectWhiskError(tooMuchCode, 413);
    expect(await snapshot()).toBe(before);
  });

  it('answers 400 to malformed JSON, without echoing the body, and stores nothing', async () => {
    const before = await snapshot();
    const body = `{"redisUrl": "${REDIS_URL}", "key": "${SECRET_PART}" oops`;
    for (const [method, path, sample] of ROUTES) {
      if (sample === undefined) continue;
      const a = await request(method, path, { body });
      expectWhiskError(a, 400);
      expect(a.json.error).toMatch(/^The request content was malformed/);
    }
    const web = await request('POST', '/api/v1/web/guest/default/web.json', { body, auth: null });
    expectWhiskError(web, 400);
    expect(await snapshot()).toBe(before);
  });

  it('answers 400 to JSON nested past the bound on every route that takes a body, and stores nothing', async () => {
    const before = await snapshot();
    // Small enough for the payload limit, deep enough to overflow a stack that walks it.
    const deep = (inner: string) => `{"x": ${'['.repeat(10_000)}${inner}${']'.repeat(10_000)}}`;
    for (const [method, path, sample] of ROUTES) {
      if (sample === undefined) continue;
      const a = await request(method, path, { body: deep('1') });
      expectWhiskError(a, 400);
      expect(a.json.error).toBe(`The request content was malformed:\nJSON nested more than ${MAX_JSON_DEPTH} levels deep`);
    }
    for (const ext of ['json', 'http']) expectWhiskError(await request('POST', `/api/v1/web/guest/default/web.${ext}`, { body: deep('1'), auth: null }), 400);
    expect(await snapshot()).toBe(before);
    // At the bound it is an ordinary body; brackets inside strings do not count.
    const atBound = `${'['.repeat(MAX_JSON_DEPTH - 1)}"[[[{{{"${']'.repeat(MAX_JSON_DEPTH - 1)}`;
    const echoed = await request('POST', '/api/v1/namespaces/_/actions/echo?blocking=true&result=true', { body: `{"x": ${atBound}}` });
    expect(echoed.status, echoed.text).toBe(200);
    expect(echoed.json).toEqual({ x: JSON.parse(atBound) });
  });

  it('answers an action result nested past the bound as a developer error, not a crash', async () => {
    await ow.actions.create({ name: 'deep', action: 'function main({ n }) { let v = 1; for (let i = 0; i < n; i++) v = [v]; return { v }; }' });
    for (const n of [MAX_JSON_DEPTH, 3000, 100_000]) {
      const a = await request('POST', '/api/v1/namespaces/_/actions/deep?blocking=true', { body: JSON.stringify({ n }) });
      expect(a.status, a.text).toBe(502);
      expect(a.json.response.status).toBe('action developer error');
      expect(a.json.response.result.error).toMatch(/nested more than \d+ levels deep|not return a valid JSON result/);
    }
    const ok = await request('POST', '/api/v1/namespaces/_/actions/deep?blocking=true&result=true', { body: JSON.stringify({ n: MAX_JSON_DEPTH - 2 }) });
    expect(ok.status, ok.text).toBe(200);
  });

  it('answers 400 to names with illegal characters on every entity route', async () => {
    const before = await snapshot();
    const names = ['a!b', '-lead', 'x'.repeat(257), 'a%25%25b', '%E0%A4%A', 'a%00b', 'trailing%20', 'a%2Fb%2Fc%2Fd', '%22quote%22', 'a$b'];
    for (const collection of ['actions', 'packages', 'triggers', 'rules']) {
      for (const name of names) {
        for (const method of ['GET', 'PUT', 'POST', 'DELETE']) {
          if (collection === 'packages' && method === 'POST') continue;
          const a = await request(method, `/api/v1/namespaces/_/${collection}/${name}`, { body: '{}' });
          expect(a.status, `${method} ${collection}/${name}: ${a.text}`).toBe(400);
          expectWhiskError(a, 400);
        }
      }
    }
    expectWhiskError(await request('GET', '/api/v1/namespaces/%E0%A4%A/actions'), 400);
    expectWhiskError(await request('GET', '/api/v1/namespaces/_/activations/not-an-id'), 400);
    expect(await snapshot()).toBe(before);
  });

  it('answers 400 to out-of-range and ill-typed query parameters', async () => {
    const lists = ['actions', 'packages', 'triggers', 'rules', 'activations'];
    const bad = ['limit=201', 'limit=-1', 'limit=abc', 'limit=1e400', 'limit=1.5', 'limit=1&limit=2', 'skip=-1', 'skip=2147483648', 'skip=99999999999999999999', 'skip=0x10', 'count=maybe'];
    for (const collection of lists) {
      for (const q of bad) expectWhiskError(await request('GET', `/api/v1/namespaces/_/${collection}?${q}`), 400);
    }
    for (const q of ['since=abc', 'upto=1e400', 'since=99999999999999999999', 'docs=maybe', 'count=true&docs=true', 'name=%E0%A4%A']) {
      expectWhiskError(await request('GET', `/api/v1/namespaces/_/activations?${q}`), 400);
    }
    const before = await snapshot();
    for (const q of ['blocking=maybe', 'result=2', 'timeout=0', 'timeout=60001', 'timeout=abc', 'timeout=1e400']) {
      expectWhiskError(await request('POST', `/api/v1/namespaces/_/actions/echo?${q}`, { body: '{}' }), 400);
    }
    expectWhiskError(await request('PUT', '/api/v1/namespaces/_/actions/echo?overwrite=perhaps', { body: '{}' }), 400);
    expect(await snapshot()).toBe(before);
  });

  it('answers 400 with a clear message to bodies of the wrong types, and stores nothing', async () => {
    const before = await snapshot();
    const exec = { kind: 'nodejs:20', code: 'function main() { return {}; }' };
    const cases: [string, string, unknown, RegExp][] = [
      ['PUT', 'actions/n1', { exec: 5 }, /exec must be an object/],
      ['PUT', 'actions/n1', { exec: { kind: 'nodejs:20', code: 5 } }, /'code' must be a string/],
      ['PUT', 'actions/n1', { exec: { kind: 'cobol', code: 'x' } }, /kind 'cobol' is not supported by this platform/],
      ['PUT', 'actions/n1', { exec, limits: { timeout: '60s' } }, /timeout must be an integer/],
      ['PUT', 'actions/n1', { exec, limits: { memory: 1e9 } }, /memory 1000000000 MB exceeds allowed threshold/],
      ['PUT', 'actions/n1', { exec, limits: 'big' }, /limits must be an object/],
      ['PUT', 'actions/n1', { exec, parameters: 'x' }, /parameters must be an array/],
      ['PUT', 'actions/n1', { exec, annotations: [{ key: 1, value: 2 }] }, /annotations must be an array/],
      ['PUT', 'actions/n1', { exec: { kind: 'sequence', components: 'echo' } }, /components must be a non-empty array/],
      ['PUT', 'actions/n1', [1, 2], /expected a JSON object/],
      ['PUT', 'actions/n1', 'text', /expected a JSON object/],
      ['PUT', 'actions/n1', {}, /exec undefined/],
      ['PUT', 'packages/n2', { parameters: 5 }, /parameters must be an array/],
      ['PUT', 'packages/n2', { annotations: 'x' }, /annotations must be an array/],
      ['PUT', 'triggers/n3', { parameters: 'x' }, /parameters must be an array/],
      ['PUT', 'triggers/n3', { annotations: [1] }, /annotations must be an array/],
      ['PUT', 'rules/n4', { trigger: 5, action: 'echo' }, /must be entity names/],
      ['PUT', 'rules/n4', { trigger: '/_/t', action: {} }, /must be entity names/],
      ['PUT', 'rules/n4', {}, /requires a valid trigger/],
      ['POST', 'rules/r', { status: 'on' }, /not recognized/],
      ['POST', 'rules/r', { status: 5 }, /not recognized/],
      ['POST', 'triggers/t', [1], /expected a JSON object/],
      ['POST', 'actions/echo', [1], /expected a JSON object/],
      ['POST', 'actions/echo', 5, /expected a JSON object/],
    ];
    for (const [method, path, body, message] of cases) {
      const a = await request(method, `/api/v1/namespaces/_/${path}`, { body: JSON.stringify(body) });
      expectWhiskError(a, 400);
      expect(a.json.error, `${method} ${path} ${JSON.stringify(body)}`).toMatch(message);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('secrets', () => {
  const leaks = (text: string) => text.includes(SECRET_PART) || text.includes(REDIS_PASS);

  it('never appear in records of failed inits and crashed runs, nor in their logs', async () => {
    const initCode = `const key = ${JSON.stringify(KEY)}; console.log('starting with', key, ${JSON.stringify(REDIS_URL)}); throw new Error('cannot init with ' + key);`;
    await ow.actions.create({ name: 'initfail', action: initCode });
    await ow.actions.create({
      name: 'runfail',
      action: `function main() { console.error('key', process.env.__OW_API_KEY); throw new Error('failed: ' + process.env.__OW_API_KEY + ' ' + ${JSON.stringify(REDIS_URL)}); }`,
    });
    for (const name of ['initfail', 'runfail']) {
      let body: { activationId: string; response: { status: string; result: { error: string } }; logs: string[] } | undefined;
      try {
        await ow.actions.invoke({ name, blocking: true });
      } catch (err) {
        body = (err as { error: typeof body }).error;
      }
      expect(body!.response.status).toBe('action developer error');
      expect(body!.response.result.error.length).toBeGreaterThan(0);
      expect(body!.response.result.error).toContain('***');
      expect(leaks(JSON.stringify(body))).toBe(false);
      const stored = await ow.activations.get({ name: body!.activationId });
      expect(stored.logs.length).toBeGreaterThan(0);
      expect(leaks(JSON.stringify(stored))).toBe(false);
      expect(leaks(JSON.stringify(await ow.activations.logs({ name: body!.activationId })))).toBe(false);
    }
  });

  it('never appear in what the platform process prints', async () => {
    const script = fileURLToPath(new URL('./helpers/platform-process.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, PLATFORM_OPTIONS: JSON.stringify({ port: 0, auth: KEY, secrets: [REDIS_URL] }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /READY (\S+)/.exec(output);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`platform process exited (${code}): ${output}`)));
    });
    const client = clientOf({ url, auth: KEY });
    await client.actions.create({ name: 'runfail', action: `function main() { throw new Error(process.env.__OW_API_KEY); }` });
    await client.actions.invoke({ name: 'runfail', blocking: true }).catch(() => undefined);
    await fetch(`${url}/api/v1/namespaces/_/actions/x`, { method: 'PUT', headers: { authorization: basicAuth(KEY), 'content-type': 'application/json' }, body: `{"k": "${KEY}" oops` });
    await fetch(`${url}/api/v1/namespaces/_/actions`, { headers: { authorization: basicAuth(`${KEY}x`) } });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
    expect(output.trim()).toMatch(/^READY \S+$/);
    expect(leaks(output)).toBe(false);
  });
});
