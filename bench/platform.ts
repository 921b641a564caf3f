// Benchmark of the embedded platform's own overhead: every figure beside the same figure for a bare Node
// HTTP round trip measured in the same run, so the platform's cost reads as a ratio.
import http from 'node:http';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import openwhisk from 'openwhisk';
import { startPlatform } from '../platform/index.ts';
import { waitForProgress } from '../host/jobs/wait-for-progress.ts';
import { request } from './http-client.ts';
import { elapsedMs, fmt, machine, summarize } from './stats.ts';

const TRIVIAL_ACTION = 'function main(params) { return { ok: true }; }';

interface LatencyFigures {
  p50: number;
  p99: number;
  mean: number;
  n: number;
}

export interface PlatformBenchResult {
  machine: string;
  warmBlocking: { platform: LatencyFigures; bareHttp: LatencyFigures; overheadP50Ms: number; ratioP50: number };
  nonBlocking: {
    clients: number;
    invokes: number;
    platformAcceptedPerSec: number;
    platformActivationsPerSec: number;
    bareHttpPerSec: number;
  };
  coldStart: { platform: LatencyFigures; bareNodeProcess: LatencyFigures; ratioP50: number };
}

async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

async function sequentialLatencies(n: number, call: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await call();
    samples.push(elapsedMs(t));
  }
  return samples;
}

async function throughput(total: number, clients: number, call: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        next++;
        await call();
      }
    }),
  );
  return total / (elapsedMs(t) / 1000);
}

/** Time for a fresh Node process to start an HTTP server and answer one request: the floor of any cold start. */
async function bareProcessColdStart(): Promise<number> {
  const script =
    "const s=require('http').createServer((q,r)=>r.end('{}'));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))";
  const t = process.hrtime.bigint();
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('error', reject);
  });
  await request(`http://127.0.0.1:${port}/`, 'POST', {});
  const ms = elapsedMs(t);
  child.kill();
  return ms;
}

export async function benchPlatform(opts: { quick?: boolean } = {}): Promise<PlatformBenchResult> {
  const n = opts.quick ? 300 : 3000;
  const invokes = opts.quick ? 2000 : 20000;
  const clients = 64;
  const colds = opts.quick ? 5 : 20;

  // Room for every record this run creates: the completion count below reads the activation store.
  const platform = await startPlatform({ port: 0, userMemoryMB: 4096, maxActivations: 4 * invokes + 2 * n });
  const bare = await startBareServer();
  try {
    const ow = openwhisk({ apihost: platform.apiHost, api_key: platform.auth, ignore_certs: true });
    await ow.actions.create({ name: 'bench-trivial', action: TRIVIAL_ACTION, limits: { concurrency: 200 } } as never);
    const base = `${platform.url}/api/v1/namespaces/_/actions`;
    const invokeBlocking = () => request(`${base}/bench-trivial?blocking=true&result=true`, 'POST', {}, platform.auth);
    const invokeAsync = () => request(`${base}/bench-trivial`, 'POST', {}, platform.auth);
    const bareCall = () => request(bare.url, 'POST', {});

    // Warm up both sides (the container, JIT, sockets).
    await sequentialLatencies(200, invokeBlocking);
    await sequentialLatencies(200, bareCall);
    const platformLat = summarize(await sequentialLatencies(n, invokeBlocking));
    const bareLat = summarize(await sequentialLatencies(n, bareCall));

    const bareHttpPerSec = await throughput(invokes, clients, bareCall);
    const countActivations = async () =>
      JSON.parse((await request(`${platform.url}/api/v1/namespaces/_/activations?count=true&name=bench-trivial`, 'GET', undefined, platform.auth)).body)
        .activations as number;
    const before = await countActivations();
    const t = process.hrtime.bigint();
    const platformAcceptedPerSec = await throughput(invokes, clients, invokeAsync);
    // Activations per second counts until the last non-blocking activation has its record.
    await waitForProgress(
      async () => {
        const completed = (await countActivations()) - before;
        return { value: completed, finished: completed >= invokes, progress: String(completed) };
      },
      { what: `${invokes} non-blocking activations`, pollMs: 5, stallMs: 30_000 },
    );
    const platformActivationsPerSec = invokes / (elapsedMs(t) / 1000);

    const coldPlatform: number[] = [];
    const coldBare: number[] = [];
    for (let i = 0; i < colds; i++) {
      const name = `bench-cold-${i}`;
      await ow.actions.create({ name, action: TRIVIAL_ACTION } as never);
      const t0 = process.hrtime.bigint();
      await request(`${base}/${name}?blocking=true&result=true`, 'POST', {}, platform.auth);
      coldPlatform.push(elapsedMs(t0));
      coldBare.push(await bareProcessColdStart());
    }
    const coldP = summarize(coldPlatform);
    const coldB = summarize(coldBare);
    return {
      machine: machine(),
      warmBlocking: {
        platform: platformLat,
        bareHttp: bareLat,
        overheadP50Ms: platformLat.p50 - bareLat.p50,
        ratioP50: platformLat.p50 / bareLat.p50,
      },
      nonBlocking: { clients, invokes, platformAcceptedPerSec, platformActivationsPerSec, bareHttpPerSec },
      coldStart: { platform: coldP, bareNodeProcess: coldB, ratioP50: coldP.p50 / coldB.p50 },
    };
  } finally {
    await bare.close();
    await platform.stop();
  }
}

export function platformMarkdown(r: PlatformBenchResult): string {
  const w = r.warmBlocking;
  const nb = r.nonBlocking;
  const c = r.coldStart;
  return [
    `### Embedded platform (${r.machine})`,
    '',
    '| measure | platform | bare Node HTTP | ratio |',
    '|---|---|---|---|',
    `| warm blocking invoke, p50 (ms) | ${fmt(w.platform.p50)} | ${fmt(w.bareHttp.p50)} | ${fmt(w.ratioP50)}x (overhead ${fmt(w.overheadP50Ms)} ms) |`,
    `| warm blocking invoke, p99 (ms) | ${fmt(w.platform.p99)} | ${fmt(w.bareHttp.p99)} | ${fmt(w.platform.p99 / w.bareHttp.p99)}x |`,
    `| non-blocking invokes accepted /s (${nb.clients} clients) | ${fmt(nb.platformAcceptedPerSec, 0)} | ${fmt(nb.bareHttpPerSec, 0)} | ${fmt(nb.platformAcceptedPerSec / nb.bareHttpPerSec)}x |`,
    `| activations completed /s (${nb.invokes} non-blocking) | ${fmt(nb.platformActivationsPerSec, 0)} | ${fmt(nb.bareHttpPerSec, 0)} | ${fmt(nb.platformActivationsPerSec / nb.bareHttpPerSec)}x |`,
    `| cold start, p50 (ms) | ${fmt(c.platform.p50)} | ${fmt(c.bareNodeProcess.p50)} (new Node process + 1 request) | ${fmt(c.ratioP50)}x |`,
    '',
  ].join('\n');
}
