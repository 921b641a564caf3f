// The fault matrix's shuffle rows, pull mode: a keyed shuffle (a user's TypeScript kernel with `reducePartition`,
// deployed as users deploy one) of a ledger's lines into per-account totals on 4 reducers, under a killed map worker, a
// killed reduce worker, dropped Redis connections, and an object store (a real S3-compatible server behind a proxy
// that fails some PUTs, some of them after writing). Each row's dataset equals DuckDB's answer over the same file row
// for row, every account in exactly one part: nothing lost, nothing counted twice. Where a task was run again, the
// store saw its earlier attempt's objects written, and none of them is read (the answer is exact) or left behind.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import openwhisk from 'openwhisk';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { deployKernel } from '../host/kernels/deploy.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { reduceJobIdOf } from '../pipeline/shuffle/spec.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import type { FaultOptions } from '../platform/index.ts';
import { PULL } from './helpers/faults-matrix.ts';
import { startPipeline, type PipelineEnv, type TestJobStatus } from './helpers/pipeline-env.ts';
import { startS3FaultProxy, type PutFaults, type PutSeen, type S3FaultProxy } from './helpers/s3-fault-proxy.ts';
import { waitUntil } from './helpers/wait-until.ts';
import { downloadObject, duckRows, listKeys } from './helpers/shuffle-objects.ts';

const DB = 4;
const BUCKET = 'ledger';
const RESULTS = 'supercompute-results';
const REDUCERS = 4;
const LINES = 12_000;
const KERNEL = 'keyed-ledger';
const FIXTURE = 'test/fixtures/kernels/keyed-ledger.ts';

let dir: string;
let s3: S3Server;
let client: S3Client;
let duckdb: DuckDBInstance;
let duck: DuckDBConnection;
let expected: unknown[][];
let env: PipelineEnv | undefined;
let proxy: S3FaultProxy | undefined;

const keys = (bucket: string, prefix: string): Promise<string[]> => listKeys(client, bucket, prefix).catch(() => []);

const download = (key: string): Promise<string> => downloadObject(client, BUCKET, key, dir);

const rows = (query: string): Promise<unknown[][]> => duckRows(duck, query);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-shuffle-faults-'));
  const lines = Array.from({ length: LINES }, (_, i) => `${(i * 7919) % 700},${((i * 104729) % 20000) - 5000}`);
  writeFileSync(join(dir, 'ledger.csv'), `${lines.join('\n')}\n`);
  duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await duckdb.connect();
  expected = await rows(`SELECT column0 AS account, sum(column1)::BIGINT AS total, count(*) AS n FROM read_csv('${join(dir, 'ledger.csv')}', header = false, columns = {'column0': 'BIGINT', 'column1': 'BIGINT'}) GROUP BY ALL ORDER BY account`);
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET, RESULTS] });
  client = await createS3Client(readS3Settings(s3.env));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in/ledger.csv', Body: `${lines.join('\n')}\n` }));
});

afterEach(async () => {
  await env?.stop();
  await proxy?.stop();
  env = undefined;
  proxy = undefined;
});

afterAll(async () => {
  await s3?.stop();
  duck?.closeSync();
  duckdb?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The kernel's tasks action's containers, as their Redis connections name them. */
async function kernelPids(e: PipelineEnv): Promise<number[]> {
  const clients = String(await e.redis.sendCommand(['CLIENT', 'LIST', 'TYPE', 'normal']));
  return [...new Set([...clients.matchAll(new RegExp(`name=supercompute-db${DB}-${KERNEL}[0-9a-f]{10}-(\\d+)`, 'g'))].map((m) => Number(m[1])))];
}

/** A pipeline whose object store is the server behind a fault proxy, with the kernel deployed as a user deploys it. */
async function start(row: string, o: { faults?: FaultOptions & { redisDrop?: boolean }; store?: PutFaults[]; settings?: Record<string, unknown> } = {}) {
  proxy = await startS3FaultProxy(s3.url, row, o.store);
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_REQUEST_CHECKSUM_CALCULATION, AWS_RESPONSE_CHECKSUM_VALIDATION } = s3.env;
  env = await startPipeline({
    db: DB,
    params: { supercompute: { ...PULL.settings, ...o.settings } },
    kernelLimits: { concurrency: PULL.concurrency },
    deployParams: { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL: proxy.url, AWS_REQUEST_CHECKSUM_CALCULATION, AWS_RESPONSE_CHECKSUM_VALIDATION },
    faults: o.faults,
  });
  await deployKernel(openwhisk({ apihost: env.platform.url, api_key: env.platform.auth }), FIXTURE, { limits: { tasks: { concurrency: PULL.concurrency } } });
  return env;
}

/** The shuffle job of every row; `onProgress` sees the map stage's status as it runs. */
async function runJob(e: PipelineEnv, out: string, onProgress?: (st: TestJobStatus) => Promise<void>) {
  const { status, body } = await e.submit({
    kernel: KERNEL,
    params: { ms: 600, reduceMs: 1500 },
    input: `s3://${BUCKET}/in/`,
    chunkSize: '2KiB',
    partitionBy: 'account',
    reducers: REDUCERS,
    workers: 6,
    output: `s3://${BUCKET}/${out}/`,
    outputFormat: 'csv',
  });
  expect(status, JSON.stringify(body)).toBe(200);
  const st = await e.waitForJob(body.jobId, { onProgress: (s) => onProgress?.(s) });
  return { st, stage: await e.waitForJob(reduceJobIdOf(body.jobId)) };
}

/** The attempts whose objects the store holds or held: per map task, and per part. */
function attemptsWritten(puts: PutSeen[], mapJob: string): { maps: Map<string, Set<string>>; parts: Map<string, Set<string>> } {
  const maps = new Map<string, Set<string>>();
  const parts = new Map<string, Set<string>>();
  for (const p of puts.filter((p) => p.written && !p.copy)) {
    const map = new RegExp(`^jobs/${mapJob}/shuffle/map-(\\d+)/attempt-([0-9a-f]+)/`).exec(p.key);
    if (map) maps.set(map[1], (maps.get(map[1]) ?? new Set()).add(map[2]));
    const part = /\/_temporary\/(?:[^/]+\/)?(part-\d+\.csv)\.([0-9a-f]+)$/.exec(p.key);
    if (part) parts.set(part[1], (parts.get(part[1]) ?? new Set()).add(part[2]));
  }
  return { maps, parts };
}

const rerun = (attempts: Map<string, Set<string>>) => [...attempts.values()].filter((s) => s.size > 1).length;

/** The dataset is exact, each account in one part, and nothing of the shuffle is left in the store. */
async function expectExact(st: TestJobStatus, out: string) {
  expect(st, JSON.stringify(st).slice(0, 800)).toMatchObject({ state: 'done', result: { dataset: `s3://${BUCKET}/${out}/`, format: 'csv', parts: REDUCERS, rows: expected.length } });
  const names = Array.from({ length: REDUCERS }, (_, r) => `${out}/part-${String(r).padStart(5, '0')}.csv`);
  // The dataset alone, once what late attempts wrote meanwhile is gone too.
  const left = async () => [...(await keys(BUCKET, `${out}/`)), ...(await keys(RESULTS, `jobs/${st.jobId}/`))];
  await waitUntil('the shuffle\'s objects to be removed', async () => ((await left()).length === names.length + 1 ? true : undefined), left);
  expect(await keys(BUCKET, `${out}/`)).toEqual([`${out}/_manifest.json`, ...names]);
  expect(await keys(RESULTS, `jobs/${st.jobId}/`)).toEqual([]);
  const files = await Promise.all(names.map(download));
  const list = files.map((f) => `'${f}'`).join(', ');
  const csv = `read_csv([${list}], header = true, filename = true, columns = {'account': 'BIGINT', 'total': 'BIGINT', 'n': 'BIGINT'})`;
  expect(await rows(`SELECT account, total, n FROM ${csv} ORDER BY account`)).toEqual(expected);
  expect(await rows(`SELECT account FROM ${csv} GROUP BY account HAVING count(DISTINCT filename) > 1`)).toEqual([]);
}

describe('shuffle jobs under injected faults, pull mode', () => {
  it('killed map workers: the map tasks they held run again, the dataset is exact', async () => {
    // The matrix's kills at random (some land in the reduce stage), and the map stage's workers killed while they
    // hold tasks, once a dozen have started (each waits 0.6 s before writing its partitions).
    const e = await start('kill-map', { faults: { seed: 'shuffle-kill', actions: [`${KERNEL}@*`], ...PULL.kill } });
    let killed: number[] = [];
    const { st, stage } = await runJob(e, 'kill-map', async (status) => {
      if (killed.length > 0 || (await e.redis.hLen(jobKeys(status.jobId).starts)) < 12 || status.done >= status.total) return;
      killed = await kernelPids(e);
      for (const pid of killed) process.kill(pid, 'SIGKILL');
    });
    expect(killed.length).toBeGreaterThan(0);
    await expectExact(st, 'kill-map');
    expect(e.platform.faults.stats().injected.killContainer).toBeGreaterThanOrEqual(1);
    expect(st.retries.tasks).toBeGreaterThan(0);
    expect(stage.state).toBe('done');
  });

  it('killed reduce workers: the partitions they held are reduced again, each part written once', async () => {
    const e = await start('kill-reduce');
    let killed: number[] = [];
    const { st, stage } = await runJob(e, 'kill-reduce', async (status) => {
      if (killed.length > 0 || status.done < status.total) return;
      // Once every reducer holds its partition (each waits 1.5 s before writing its part): kill their containers.
      const stageId = reduceJobIdOf(status.jobId);
      if ((await e.redis.hLen(jobKeys(stageId).starts)) < REDUCERS || (await e.redis.hLen(jobKeys(stageId).partials)) > 0) return;
      killed = await kernelPids(e);
      for (const pid of killed) process.kill(pid, 'SIGKILL');
    });
    expect(killed.length).toBeGreaterThan(0);
    await expectExact(st, 'kill-reduce');
    expect(stage.retries.tasks).toBeGreaterThan(0);
  });

  it('dropped Redis connections in the map stage and in the reduce stage', async () => {
    const e = await start('redis', { faults: { redisDrop: true } });
    const drops: number[] = [];
    const { st } = await runJob(e, 'redis', async (status) => {
      const inReduce = status.done === status.total && (await e.redis.hLen(jobKeys(reduceJobIdOf(status.jobId)).starts)) > 0;
      if ((drops.length === 0 && status.done >= 10) || (drops.length === 1 && inReduce)) drops.push(await e.platform.faults.dropRedis());
    });
    await expectExact(st, 'redis');
    expect(drops).toHaveLength(2);
    expect(drops.every((n) => n > 0)).toBe(true);
    expect(e.platform.faults.stats().errors).toEqual([]);
  });

  it('a store that fails some PUTs, some after writing: map tasks and reducers run again, their earlier attempts never read or kept', async () => {
    const e = await start('store', {
      // Every object the shuffle writes may fail; the first 12 writes of parts (every reducer's first try, thrice) fail
      // once written, so some reducer's first attempt leaves a part behind. Retries enough that no task runs out.
      // The commit's first manifest PUTs (every try the SDK makes) are written and answered 503: the commit runs again, and
      // finds its own manifest.
      store: [
        { keys: /^store\/_manifest\.json$/, first: 3, afterWrite: 1 },
        { keys: /\/_temporary\//, first: 3 * REDUCERS, afterWrite: 1 },
        { keys: /^(jobs\/|store\/)/, chance: 0.35 },
      ],
      settings: { retries: 8, retryBudget: 400 },
    });
    const { st, stage } = await runJob(e, 'store');
    await expectExact(st, 'store');
    const failed = proxy!.puts.filter((p) => p.failed);
    expect(failed.filter((p) => p.key.startsWith('jobs/')).length).toBeGreaterThan(0);
    // The commit's manifest was stored, its PUT answered with errors until the SDK gave up: the commit ran again.
    expect(failed.filter((p) => p.key === 'store/_manifest.json').length).toBeGreaterThan(0);
    const { maps, parts } = attemptsWritten(proxy!.puts, st.jobId);
    // Map tasks whose first attempt wrote partitions and failed: a second attempt wrote its own, and only that is read.
    expect(rerun(maps)).toBeGreaterThan(0);
    expect(rerun(parts)).toBeGreaterThan(0);
    expect(st.retries.tasks).toBeGreaterThan(0);
    expect(stage.retries.tasks).toBeGreaterThan(0);
  });
});
