// The container pool driven directly, with real runtime processes.
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from './helpers/wait-until.ts';
import { createContainerPool, type InvokerPool } from '../platform/invoker/pool.ts';
import type { ActionLimits, RunnableAction, RunRequest } from '../platform/invoker/types.ts';
import { childPids as children } from './helpers/child-pids.ts';

const limits: ActionLimits = { timeout: 10_000, memory: 256, logs: 10, concurrency: 1 };
let counter = 0;

type ActionOverrides = Partial<Omit<RunnableAction, 'limits'>> & { limits?: Partial<ActionLimits> };

function action(code: string, over: ActionOverrides = {}): RunnableAction {
  return {
    fqn: `/guest/a${counter++}`,
    version: '0.0.1',
    code,
    binary: false,
    main: 'main',
    provideApiKey: true,
    ...over,
    limits: { ...limits, ...over.limits },
  };
}

function request(a: RunnableAction, params: Record<string, unknown> = {}): RunRequest {
  const id = `act${counter++}`;
  return { action: a, params, activationId: id, transactionId: 'tx', namespace: 'guest', apiKey: 'user:key' };
}


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A test server that holds each request until the test releases it: a way to block actions without sleeping. */
function gate() {
  const held: http.ServerResponse[] = [];
  const arrived: (() => void)[] = [];
  let seen = 0;
  const server = http.createServer((_req, res) => {
    seen++;
    held.push(res);
    arrived.shift()?.();
  });
  return {
    server,
    /** Requests that have arrived so far, held or released. */
    arrivals: () => seen,
    async listen(): Promise<number> {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return (server.address() as AddressInfo).port;
    },
    /** Resolves once `n` requests are being held. */
    async waitFor(n: number): Promise<void> {
      while (held.length < n) await new Promise<void>((r) => arrived.push(r));
    },
    release(): void {
      for (const res of held.splice(0)) res.end('{}');
    },
    close(): void {
      server.closeAllConnections();
      server.close();
    },
  };
}

const blockingCode = `const http = require('http');
function main(a) {
  return new Promise((resolve, reject) => {
    http.get('http://127.0.0.1:' + a.port + '/', (res) => { res.resume(); res.on('end', () => resolve({ done: a.tag })); }).on('error', reject);
  });
}`;

describe('container pool', () => {
  let pool: InvokerPool;
  beforeAll(() => {
    pool = createContainerPool({ apiHost: 'http://127.0.0.1:3233', userMemoryMB: 4096, idleMs: 60_000 });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it('runs a trivial action, then reuses its container warm', async () => {
    const a = action('function main(args) { return { hello: args.name }; }');
    const first = await pool.run(request(a, { name: 'world' }));
    expect(first).toMatchObject({ status: 'success', result: { hello: 'world' }, cold: true });
    expect(first.initTime).toBeGreaterThanOrEqual(0);
    expect(first.end).toBeGreaterThanOrEqual(first.start);
    const second = await pool.run(request(a, { name: 'again' }));
    expect(second).toMatchObject({ status: 'success', result: { hello: 'again' }, cold: false, containerId: first.containerId });
    expect(second.initTime).toBeUndefined();
  });

  it('gives actions the preinstalled packages and the __OW_ variables', async () => {
    const a = action(`const openwhisk = require('openwhisk'); const redis = require('redis');
      function main() {
        const ow = openwhisk();
        return { ow: typeof ow.actions.invoke, redis: typeof redis.createClient, host: process.env.__OW_API_HOST,
                 key: process.env.__OW_API_KEY, ns: process.env.__OW_NAMESPACE, name: process.env.__OW_ACTION_NAME,
                 id: process.env.__OW_ACTIVATION_ID, deadline: Number(process.env.__OW_DEADLINE) };
      }`);
    const req = request(a);
    const out = await pool.run(req);
    expect(out.status).toBe('success');
    expect(out.result).toMatchObject({
      ow: 'function',
      redis: 'function',
      host: 'http://127.0.0.1:3233',
      key: 'user:key',
      ns: 'guest',
      name: a.fqn,
      id: req.activationId,
    });
    expect(out.result.deadline).toBeGreaterThan(Date.now());
  });

  it('runs a zipped action with a package.json main that requires preinstalled packages', async () => {
    const zip = new AdmZip();
    zip.addFile('package.json', Buffer.from(JSON.stringify({ name: 'z', main: 'src/index.js' })));
    zip.addFile('src/index.js', Buffer.from('const { v4 } = require("uuid"); exports.main = (a) => ({ sum: a.x + a.y, uuid: typeof v4() });'));
    const a = action(zip.toBuffer().toString('base64'), { binary: true });
    const out = await pool.run(request(a, { x: 2, y: 3 }));
    expect(out).toMatchObject({ status: 'success', result: { sum: 5, uuid: 'string' } });
  });

  it('maps failures to OpenWhisk statuses and messages', async () => {
    const [init, thrown, nonDict, rejected, appError] = await Promise.all([
      pool.run(request(action('function main( {'))),
      pool.run(request(action('function main() { throw new Error("boom"); }'))),
      pool.run(request(action('function main() { return "text"; }'))),
      pool.run(request(action('function main() { return Promise.reject(new Error("nope")); }'))),
      pool.run(request(action('function main() { return { error: "bad input" }; }'))),
    ]);
    expect(init.status).toBe('action developer error');
    expect(init.result.error).toMatch(/^Initialization has failed due to: SyntaxError/);
    expect(init.cold).toBe(true);
    expect(thrown).toMatchObject({ status: 'action developer error', result: { error: 'An error has occurred: Error: boom' } });
    expect(nonDict).toMatchObject({ status: 'action developer error', result: { error: 'The action did not return a dictionary.' } });
    expect(rejected.status).toBe('application error');
    expect(rejected.result.error).toMatchObject({ message: 'nope' });
    expect(appError).toMatchObject({ status: 'application error', result: { error: 'bad input' } });
  });

  it('captures logs per activation without the sentinel, truncated at the limit', async () => {
    const a = action('function main(a) { console.log("out", a.n); console.error("err", a.n); return {}; }');
    const one = await pool.run(request(a, { n: 1 }));
    const two = await pool.run(request(a, { n: 2 }));
    const line = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (stdout|stderr): /;
    // stdout and stderr are separate pipes: the order between them is not kept.
    expect(one.logs.map((l) => l.replace(line, '$1 ')).sort()).toEqual(['stderr err 1', 'stdout out 1']);
    expect(two.logs.map((l) => l.replace(line, '$1 ')).sort()).toEqual(['stderr err 2', 'stdout out 2']);
    expect([...one.logs, ...two.logs].join('\n')).not.toContain('XXX_THE_END');

    const chatty = action('function main() { for (let i = 0; i < 100; i++) console.log("x".repeat(99)); return {}; }', {
      limits: { logs: 0.001 },
    });
    const out = await pool.run(request(chatty));
    expect(out.logs.length).toBeLessThan(100);
    expect(out.logs.at(-1)).toMatch(/stderr: Logs were truncated because the total bytes size exceeds the limit of 1048 bytes\.$/);
    const silent = action('function main() { console.log("hidden"); return {}; }', { limits: { logs: 0 } });
    expect((await pool.run(request(silent))).logs).toEqual([]);
  });

  it('kills an action at its timeout, at run and at init', async () => {
    const pids = new Map<string, number>();
    const onStart = (id: string, pid: number) => pids.set(id, pid);
    pool.events.on('started', onStart);
    // A worker thread spinning too: the whole process goes, not just the answer.
    const spinner = `new (require('worker_threads').Worker)('while (true) {}', { eval: true });`;
    const a = action(`function main() { console.log("spinning"); ${spinner} while (true) {} }`, { limits: { timeout: 300 } });
    const out = await pool.run(request(a));
    expect(out).toMatchObject({ status: 'action developer error', result: { error: 'The action exceeded its time limits of 300 milliseconds.' } });
    expect(out.logs.join('\n')).toContain('spinning');
    expect(alive(pids.get(out.containerId)!)).toBe(false);
    const b = action('while (true) {} function main() { return {}; }', { limits: { timeout: 300 } });
    const init = await pool.run(request(b));
    expect(init).toMatchObject({
      status: 'action developer error',
      result: { error: 'The action exceeded its time limits of 300 milliseconds during initialization.' },
    });
    pool.events.off('started', onStart);
  });

  it("kills an action past its memory limit, at run and at init, with OpenWhisk's answer", async () => {
    const pids = new Map<string, number>();
    const onStart = (id: string, pid: number) => pids.set(id, pid);
    pool.events.on('started', onStart);
    const exhausted = { status: 'action developer error', result: { error: 'The action exhausted its memory and was aborted.' } };
    // Off the JavaScript heap (the resident-set watch), on it (V8's heap cap), and while initialising.
    const buffers = action('function main() { globalThis.held = Buffer.alloc(1200 * 1024 * 1024, 1); return new Promise(() => {}); }', { limits: { memory: 256 } });
    const heap = action('function main() { const held = []; for (;;) held.push(new Array(100000).fill(Math.random())); }', { limits: { memory: 128 } });
    const init = action('globalThis.held = Buffer.alloc(400 * 1024 * 1024, 1); while (true) {} function main() { return {}; }', { limits: { memory: 128 } });
    for (const a of [buffers, heap, init]) {
      const out = await pool.run(request(a));
      expect(out, a.code).toMatchObject(exhausted);
      expect(alive(pids.get(out.containerId)!)).toBe(false);
    }
    pool.events.off('started', onStart);
  });

  it('lets actions use worker threads and native addons of their own, and refuses child processes', async () => {
    const worker = action(`function main() {
      return new Promise((resolve) => {
        const w = new (require('worker_threads').Worker)('require("worker_threads").parentPort.postMessage(6 * 7)', { eval: true });
        w.once('message', (answer) => resolve({ answer }));
      });
    }`);
    expect(await pool.run(request(worker))).toMatchObject({ status: 'success', result: { answer: 42 } });

    const child = action("function main() { try { require('child_process').execSync('true'); return { ran: true }; } catch (e) { return { refused: e.code }; } }");
    expect(await pool.run(request(child))).toMatchObject({ status: 'success', result: { refused: 'ERR_ACCESS_DENIED' } });

    // Any Node-API addon will do: rollup's, which the test tooling installs for this platform.
    const addon = createRequire(import.meta.url).resolve(`@rollup/rollup-${process.platform}-${process.arch}-gnu`);
    const zip = new AdmZip();
    zip.addFile('native/addon.node', fs.readFileSync(addon));
    zip.addFile(
      'index.js',
      Buffer.from(`exports.main = () => {
        const loaded = { exports: {} };
        process.dlopen(loaded, require('path').join(__dirname, 'native', 'addon.node'));
        return { dlopen: Object.keys(loaded.exports).length > 0, required: typeof require('./native/addon.node') };
      };`),
    );
    const out = await pool.run(request(action(zip.toBuffer().toString('base64'), { binary: true })));
    expect(out, JSON.stringify(out.result)).toMatchObject({ status: 'success', result: { dlopen: true, required: 'object' } });
  });

  it('survives an action that exits the process, and replaces the container', async () => {
    const a = action('function main(a) { if (a.crash) process.exit(1); return { ok: true }; }');
    const crashed = await pool.run(request(a, { crash: true }));
    expect(crashed).toMatchObject({
      status: 'action developer error',
      result: { error: 'The action did not produce a valid response and exited unexpectedly.' },
    });
    const next = await pool.run(request(a));
    expect(next).toMatchObject({ status: 'success', result: { ok: true }, cold: true });
    expect(next.containerId).not.toBe(crashed.containerId);
  });

  it('runs activations concurrently in one container when concurrency > 1', async () => {
    // Each run waits until two runs are inside the same process: only concurrent runs can finish.
    const a = action(
      `const waiting = [];
       function main() { return new Promise((resolve) => { waiting.push(resolve); if (waiting.length === 2) waiting.forEach((r) => r({ ok: true })); }); }`,
      { limits: { concurrency: 2, timeout: 5_000 } },
    );
    const [x, y] = await Promise.all([pool.run(request(a)), pool.run(request(a))]);
    expect(x.status).toBe('success');
    expect(y.status).toBe('success');
    expect(x.containerId).toBe(y.containerId);
  });
});

describe('container pool limits', () => {
  it('reaps idle containers', async () => {
    const pool = createContainerPool({ apiHost: 'http://127.0.0.1:3233', userMemoryMB: 1024, idleMs: 50 });
    try {
      const out = await pool.run(request(action('function main() { return {}; }')));
      const [removed] = await once(pool.events, 'removed');
      expect(removed).toBe(out.containerId);
      expect(pool.stats().containers).toBe(0);
    } finally {
      await pool.stop();
    }
  });

  it('keeps one idle container of an action warm and hands the others a burst left back sooner', async () => {
    const g = gate();
    const port = await g.listen();
    const pool = createContainerPool({ apiHost: 'http://127.0.0.1:3233', userMemoryMB: 1024, idleMs: 60_000, extraIdleMs: 50 });
    try {
      const a = action(blockingCode);
      const runs = [1, 2, 3].map((tag) => pool.run(request(a, { port, tag })));
      await g.waitFor(3);
      expect(pool.stats().containers).toBe(3);
      const removed: string[] = [];
      pool.events.on('removed', (id: string) => removed.push(id));
      g.release();
      const outs = await Promise.all(runs);
      await waitUntil('two of the three idle containers to be handed back', async () => (removed.length >= 2 ? true : undefined));
      expect(pool.stats().containers).toBe(1);
      const kept = outs.map((o) => o.containerId).filter((id) => !removed.includes(id));
      expect(kept).toHaveLength(1);
    } finally {
      g.close();
      await pool.stop();
    }
  });

  it('queues past its memory, then evicts an idle container of another action', async () => {
    const g = gate();
    const port = await g.listen();
    const pool = createContainerPool({ apiHost: 'http://127.0.0.1:3233', userMemoryMB: 512, idleMs: 60_000 });
    try {
      const big = action(blockingCode, { limits: { memory: 512 } });
      const other = action(blockingCode, { limits: { memory: 256 } });
      const first = pool.run(request(big, { port, tag: 'big' }));
      await g.waitFor(1);
      const second = pool.run(request(other, { port, tag: 'other' }));
      const queuedAt = Date.now();
      expect(pool.stats()).toEqual({ containers: 1, busy: 1, queued: 1 });
      g.release();
      const a = await first;
      expect(a.result).toEqual({ done: 'big' });
      await g.waitFor(1);
      expect(pool.stats()).toMatchObject({ containers: 1, queued: 0 });
      g.release();
      const b = await second;
      expect(b).toMatchObject({ status: 'success', result: { done: 'other' }, cold: true });
      expect(b.containerId).not.toBe(a.containerId);
      expect(b.waitTime).toBeGreaterThanOrEqual(a.end - queuedAt);
    } finally {
      g.close();
      await pool.stop();
    }
  });

  it("serves an action with no container before another action's queue, and two busy actions side by side", async () => {
    const g = gate();
    const port = await g.listen();
    // Room for two containers, both taken by a busy action with a long queue behind them.
    const pool = createContainerPool({ apiHost: 'http://127.0.0.1:3233', userMemoryMB: 512, idleMs: 60_000 });
    try {
      const busy = action(blockingCode, { limits: { memory: 256 } });
      const control = action('function main() { return { ok: true }; }', { limits: { memory: 256 } });
      const other = action(blockingCode, { limits: { memory: 256 } });
      const work = Array.from({ length: 12 }, (_, i) => pool.run(request(busy, { port, tag: `w${i}` })));
      await g.waitFor(2);
      const ctl = pool.run(request(control));
      // Both running runs end: the next runs to start are the control run and at most one of the busy action's (in the
      // container not retired for the control run), which the gate holds. Before, both containers took busy runs and
      // the control run waited for the whole queue.
      const startsBefore = g.arrivals();
      g.release();
      const first = await Promise.race([ctl.then(() => 'control'), g.waitFor(2).then(() => 'both containers busy again')]);
      expect(first).toBe('control');
      expect(await ctl).toMatchObject({ status: 'success', result: { ok: true } });
      expect(g.arrivals() - startsBefore).toBeLessThanOrEqual(1);

      // A second busy action with its own queue gets a container while the first still has runs waiting.
      const others = Array.from({ length: 4 }, (_, i) => pool.run(request(other, { port, tag: `o${i}` })));
      const doneTags = new Set<string>();
      for (const p of [...work, ...others]) void p.then((r) => doneTags.add(String(r.result.done)));
      const firstOther = Promise.race(others);
      let otherDone = false;
      void firstOther.then(() => (otherDone = true));
      while (!otherDone) {
        g.release();
        await Promise.race([firstOther, g.waitFor(1)]);
      }
      const workDone = [...doneTags].filter((t) => t.startsWith('w')).length;
      expect(workDone).toBeLessThan(12);
      for (;;) {
        g.release();
        const all = Promise.all([...work, ...others]);
        const finished = await Promise.race([all.then(() => true), g.waitFor(1).then(() => false)]);
        if (finished) break;
      }
    } finally {
      g.close();
      await pool.stop();
    }
  });

  it('reports a runtime that cannot start as an internal error', async () => {
    const pool = createContainerPool({ apiHost: 'http://127.0.0.1:3233', userMemoryMB: 1024, idleMs: 60_000, runtimePath: '/nonexistent/proxy.cjs' });
    try {
      const out = await pool.run(request(action('function main() { return {}; }')));
      expect(out.status).toBe('whisk internal error');
      expect(out.result.error).toMatch(/^Failed to start the action container/);
      expect(pool.stats().containers).toBe(0);
    } finally {
      await pool.stop();
    }
  });

  it('stop() ends queued runs as internal errors and leaves no child processes', async () => {
    const g = gate();
    const port = await g.listen();
    const pool = createContainerPool({ apiHost: 'http://127.0.0.1:3233', userMemoryMB: 256, idleMs: 60_000 });
    try {
      const a = action(blockingCode);
      const running = pool.run(request(a, { port, tag: 1 }));
      await g.waitFor(1);
      const queued = pool.run(request(action(blockingCode), { port, tag: 2 }));
      expect(children().length).toBeGreaterThan(0);
      await pool.stop();
      expect((await running).status).toBe('whisk internal error');
      expect((await queued).status).toBe('whisk internal error');
      expect(children()).toEqual([]);
      expect((await pool.run(request(a))).status).toBe('whisk internal error');
    } finally {
      g.close();
    }
  });
});
