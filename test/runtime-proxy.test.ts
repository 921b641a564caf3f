// The action proxy on its own: the /init and /run protocol of the OpenWhisk Node.js runtime.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import AdmZip from 'adm-zip';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildDir } from '../host/bundling/build-actions.ts';

const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

interface Proxy {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  post(route: string, body: unknown): Promise<{ status: number; body: any }>;
}

const started: ChildProcess[] = [];
const tmp = fs.mkdtempSync(join(os.tmpdir(), 'proxy-test-'));

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
  }
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function startProxy(env: Record<string, string> = {}): Promise<Proxy> {
  const child = spawn(process.execPath, [join(buildDir, 'runtime/proxy.cjs')], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    cwd: tmp,
    env: { PATH: process.env.PATH ?? '', TMPDIR: tmp, __OW_PORT: '0', __OW_READY_FD: '3', __OW_API_HOST: 'http://127.0.0.1:1', ...env },
  });
  started.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const control = child.stdio[3] as Readable;
  control.setEncoding('utf8');
  let port = '';
  for await (const chunk of control) port += chunk;
  const base = `http://127.0.0.1:${port.trim()}`;
  return {
    child,
    stdout,
    stderr,
    async post(route, body) {
      const res = await fetch(base + route, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      return { status: res.status, body: await res.json() };
    },
  };
}

function zipOf(files: Record<string, string>): string {
  const zip = new AdmZip();
  for (const [name, text] of Object.entries(files)) zip.addFile(name, Buffer.from(text));
  return zip.toBuffer().toString('base64');
}

/** Waits until `text` has appeared on the stream (the proxy writes it before answering). */
async function seen(lines: string[], stream: Readable, text: string): Promise<void> {
  while (!lines.join('').includes(text)) await once(stream, 'data');
}

describe('action proxy', () => {
  it('initialises once and runs with the __OW_ variables', async () => {
    const p = await startProxy();
    const code = `function main(args) {
      return { args, name: process.env.__OW_ACTION_NAME, id: process.env.__OW_ACTIVATION_ID,
               key: process.env.__OW_API_KEY, host: process.env.__OW_API_HOST, deadline: process.env.__OW_DEADLINE,
               custom: process.env.CUSTOM };
    }`;
    expect(await p.post('/init', { value: { name: 'a', main: 'main', code, binary: false, env: { CUSTOM: 'yes' } } })).toEqual({
      status: 200,
      body: { OK: true },
    });
    const again = await p.post('/init', { value: { name: 'a', main: 'main', code, binary: false } });
    expect(again).toEqual({ status: 403, body: { error: 'Cannot initialize the action more than once.' } });
    const r = await p.post('/run', {
      value: { x: 1 },
      namespace: 'guest',
      action_name: '/guest/a',
      activation_id: 'abc',
      transaction_id: 't',
      deadline: '123',
      api_key: 'u:k',
    });
    expect(r).toEqual({
      status: 200,
      body: { args: { x: 1 }, name: '/guest/a', id: 'abc', key: 'u:k', host: 'http://127.0.0.1:1', deadline: '123', custom: 'yes' },
    });
    await seen(p.stdout, p.child.stdout!, SENTINEL);
    await seen(p.stderr, p.child.stderr!, SENTINEL);
  });

  it('rejects an init without main or code', async () => {
    const p = await startProxy();
    const r = await p.post('/init', { value: { main: 'main' } });
    expect(r.status).toBe(403);
  });

  it('reports an init failure with 502 and the cause', async () => {
    const p = await startProxy();
    const r = await p.post('/init', { value: { main: 'main', code: 'function main( {' } });
    expect(r.status).toBe(502);
    expect(r.body.error).toMatch(/^Initialization has failed due to: SyntaxError/);
    const notFn = await (await startProxy()).post('/init', { value: { main: 'nope', code: 'const x = 1;' } });
    expect(notFn.status).toBe(502);
    expect(notFn.body.error).toContain('Initialization has failed due to:');
  });

  it('finds main on module.exports and exports', async () => {
    const a = await startProxy();
    await a.post('/init', { value: { main: 'go', code: 'module.exports.go = () => ({ via: "module.exports" });' } });
    expect((await a.post('/run', { value: {} })).body).toEqual({ via: 'module.exports' });
    const b = await startProxy();
    await b.post('/init', { value: { main: 'go', code: 'exports.go = () => ({ via: "exports" });' } });
    expect((await b.post('/run', { value: {} })).body).toEqual({ via: 'exports' });
  });

  it('maps results the way the real runtime does', async () => {
    const cases: [string, number, unknown][] = [
      ['function main() { return 42; }', 502, { error: 'The action did not return a dictionary.' }],
      ['function main() { throw new Error("boom"); }', 502, { error: 'An error has occurred: Error: boom' }],
      ['function main() {}', 200, {}],
      ['async function main() { return { ok: true }; }', 200, { ok: true }],
      ['function main() { return Promise.reject({ reason: "no" }); }', 200, { error: { reason: 'no' } }],
    ];
    await Promise.all(
      cases.map(async ([code, status, body]) => {
        const p = await startProxy();
        await p.post('/init', { value: { main: 'main', code } });
        expect(await p.post('/run', { value: {} })).toEqual({ status, body });
      }),
    );
    const p = await startProxy();
    await p.post('/init', { value: { main: 'main', code: 'function main() { return Promise.reject(new Error("nope")); }' } });
    const r = await p.post('/run', { value: {} });
    expect(r.status).toBe(200);
    expect(r.body.error).toMatchObject({ name: 'Error', message: 'nope' });
  });

  it('runs a zipped action: package.json main, file.fn, and preinstalled packages', async () => {
    const p = await startProxy();
    const code = zipOf({
      'package.json': JSON.stringify({ main: 'lib/entry.js' }),
      'lib/entry.js': 'const helper = require("./helper"); exports.main = (a) => ({ v: helper(a.v), ow: typeof require("openwhisk"), cwd: process.cwd() });',
      'lib/helper.js': 'module.exports = (v) => v * 2;',
    });
    expect((await p.post('/init', { value: { main: 'main', code, binary: true } })).status).toBe(200);
    const r = await p.post('/run', { value: { v: 21 } });
    expect(r.body).toMatchObject({ v: 42, ow: 'function' });
    const q = await startProxy();
    const code2 = zipOf({ 'other.js': 'exports.handler = () => ({ file: "other" });' });
    expect((await q.post('/init', { value: { main: 'other.handler', code: code2, binary: true } })).status).toBe(200);
    expect((await q.post('/run', { value: {} })).body).toEqual({ file: 'other' });
  });

  it('refuses a second run at once unless concurrency is allowed', async () => {
    const code = `let release; const gate = new Promise((r) => (release = r));
      async function main(a) { if (a.last) release(); else { console.log('waiting'); await gate; } return { a }; }`;
    const single = await startProxy();
    await single.post('/init', { value: { main: 'main', code } });
    const first = single.post('/run', { value: {} });
    await seen(single.stdout, single.child.stdout!, 'waiting');
    const second = await single.post('/run', { value: { last: true } });
    expect(second.status).toBe(403);
    single.child.kill('SIGKILL');
    await first.catch(() => undefined);

    const multi = await startProxy({ __OW_ALLOW_CONCURRENT: 'true' });
    await multi.post('/init', { value: { main: 'main', code } });
    const [x, y] = await Promise.all([multi.post('/run', { value: {} }), multi.post('/run', { value: { last: true } })]);
    expect(x.status).toBe(200);
    expect(y.status).toBe(200);
  });
});
