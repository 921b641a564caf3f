// A user's TypeScript kernel with the keyed contract (`work` answers rows, `reducePartition(params, tables)` a
// partition's output rows), deployed and run with the CLI as a user would, against DuckDB over the same file; and the
// shuffle's edges: bad requests are 400s that leave no job and no object, a key missing from a map output or a reducer
// that fails ends the job with the shuffle's objects removed, and cancelling the job, in its map stage or in its reduce
// stage, cancels both stages and removes what they wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { reduceJobIdOf } from '../pipeline/shuffle/spec.ts';
import { KEY_PREFIX, jobKeys } from '../pipeline/store/keys.ts';
import { cli } from './cli-helpers.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { waitUntil } from './helpers/wait-until.ts';
import { downloadObject, duckRows, listKeys } from './helpers/shuffle-objects.ts';

const DB = 10;
const BUCKET = 'ledger';
const RESULTS = 'supercompute-results';
const KERNEL = 'keyed-ledger';
const LINES = 3000;
const SETTINGS = { supervisorMs: 250, probeAfterMs: 500, startTimeoutMs: 1500, leaseMs: 1500, ioTasksPerWorker: 4 };

let dir: string;
let s3: S3Server;
let client: S3Client;
let duckdb: DuckDBInstance;
let duck: DuckDBConnection;
let expected: unknown[][];
let env: PipelineEnv;
let target: string[];

const keys = (bucket: string, prefix: string): Promise<string[]> => listKeys(client, bucket, prefix).catch(() => []);

const download = (key: string): Promise<string> => downloadObject(client, BUCKET, key, dir);

const rows = (query: string): Promise<unknown[][]> => duckRows(duck, query);

/** The dataset's JSON-lines parts read by DuckDB, in account order, and whether any account is in two parts. */
async function datasetRows(out: string): Promise<{ rows: unknown[][]; spread: unknown[][] }> {
  const files = await Promise.all((await keys(BUCKET, `${out}/part-`)).map(download));
  const json = `read_json([${files.map((f) => `'${f}'`).join(', ')}], format = 'newline_delimited', filename = true, columns = {'account': 'BIGINT', 'total': 'BIGINT', 'n': 'BIGINT'})`;
  return {
    rows: await rows(`SELECT account, total, n FROM ${json} ORDER BY account`),
    spread: await rows(`SELECT account FROM ${json} GROUP BY account HAVING count(DISTINCT filename) > 1`),
  };
}

/** Every object a shuffle job wrote or may have: its map partitions and whatever is under its output. */
async function objectsOf(jobId: string, out: string): Promise<string[]> {
  return [...(await keys(RESULTS, `jobs/${jobId}/`)), ...(await keys(BUCKET, `${out}/`))];
}

/** Jobs on this database whose params carry `tag`: a refused request must have made none. */
async function jobsTagged(e: PipelineEnv, tag: string): Promise<string[]> {
  const metas = (await e.jobKeys()).filter((k) => k.endsWith(':meta'));
  const tagged: string[] = [];
  for (const k of metas) if ((await e.redis.hGet(k, 'params'))?.includes(tag)) tagged.push(k);
  return tagged;
}

/** A cancelled job's keys: its record alone, once the writers that were running are done. */
async function settledToRecord(e: PipelineEnv, jobId: string): Promise<string[]> {
  const prefix = `${KEY_PREFIX}{${jobId}}:`;
  return waitUntil(`job ${jobId}'s keys to go`, async () => {
    const left = (await e.jobKeys()).filter((k) => k.startsWith(prefix));
    return left.length === 1 ? left : undefined;
  });
}

/**
 * The objects under a committed dataset's prefix once its attempts are tidied: the commit removes them before the job
 * ends, and again after it, for an attempt a late or duplicated task wrote meanwhile.
 */
const onlyTheDataset = (prefix: string) =>
  waitUntil(`${prefix}'s attempts to be removed`, async () => {
    const all = await keys(BUCKET, prefix);
    return all.some((k) => k.includes('_temporary/')) ? undefined : all;
  }, () => keys(BUCKET, prefix));

const noObjectsLeft = (jobId: string, out: string) =>
  waitUntil(`job ${jobId}'s objects to be removed`, async () => ((await objectsOf(jobId, out)).length === 0 ? true : undefined), () => objectsOf(jobId, out));

const job = (out: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  kernel: KERNEL,
  params,
  input: `s3://${BUCKET}/in/`,
  chunkSize: '1KiB',
  partitionBy: 'account',
  reducers: 3,
  workers: 2,
  output: `s3://${BUCKET}/${out}/`,
  ...extra,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-shuffle-edges-'));
  const lines = Array.from({ length: LINES }, (_, i) => `${(i * 7919) % 200},${((i * 104729) % 20000) - 5000}`);
  writeFileSync(join(dir, 'ledger.csv'), `${lines.join('\n')}\n`);
  duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await duckdb.connect();
  expected = await rows(`SELECT column0 AS account, sum(column1)::BIGINT AS total, count(*) AS n FROM read_csv('${join(dir, 'ledger.csv')}', header = false, columns = {'column0': 'BIGINT', 'column1': 'BIGINT'}) GROUP BY ALL ORDER BY account`);
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET, RESULTS] });
  client = await createS3Client(readS3Settings(s3.env));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in/ledger.csv', Body: `${lines.join('\n')}\n` }));
  env = await startPipeline({ db: DB, params: { supercompute: SETTINGS }, deployParams: s3.env });
  target = ['--apihost', env.platform.url, '--auth', env.platform.auth];
});

afterAll(async () => {
  await env?.stop();
  await s3?.stop();
  duck?.closeSync();
  duckdb?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a user's TypeScript kernel with reducePartition", () => {
  it('deploys with the CLI and runs a shuffle from the CLI: its dataset equals DuckDB row for row; a second run needs --overwrite', async () => {
    const deployed = await cli(['kernel', 'deploy', 'test/fixtures/kernels/keyed-ledger.ts', ...target]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const args = ['run', KERNEL, '--input', `s3://${BUCKET}/in/`, '--chunk-size', '4KiB', '--partition-by', 'account', '--reducers', '3', '--output', `s3://${BUCKET}/cli/`, '--json', '--no-check-redis', ...target];
    const run = await cli(args);
    expect(run.code, run.stderr).toBe(0);
    const st = JSON.parse(run.stdout);
    expect(st).toMatchObject({ state: 'done', result: { dataset: `s3://${BUCKET}/cli/`, format: 'jsonl', parts: 3, rows: expected.length, columns: ['account', 'total', 'n'] } });
    expect(await onlyTheDataset('cli/')).toEqual(['cli/_manifest.json', 'cli/part-00000.jsonl', 'cli/part-00001.jsonl', 'cli/part-00002.jsonl']);
    expect(await keys(RESULTS, `jobs/${st.jobId}/`)).toEqual([]);
    expect(await datasetRows('cli')).toEqual({ rows: expected, spread: [] });

    const again = await cli(args);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already holds a dataset; give overwrite to replace it/);
    const replaced = await cli([...args, '--overwrite']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(await onlyTheDataset('cli/')).toEqual(['cli/_manifest.json', 'cli/part-00000.jsonl', 'cli/part-00001.jsonl', 'cli/part-00002.jsonl']);
    expect(await datasetRows('cli')).toEqual({ rows: expected, spread: [] });
  });

  it('refuses bad shuffles with a 400, leaving no job and no object', async () => {
    const tag = `bad-${Date.now()}`;
    const before = await keys(BUCKET, '');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ reducers: 0 }, /'reducers' must be an integer between 1 and/],
      [{ outputFormat: 'parquet', output: `s3://${BUCKET}/parquet/` }, /kernel 'keyed-ledger' cannot write Parquet parts; give csv or jsonl/],
      [{ output: `s3://${BUCKET}/cli/` }, /already holds a dataset; give overwrite/],
      [{ kernel: 'wordcount', params: { top: 5 }, output: `s3://${BUCKET}/wc/` }, /kernel 'wordcount' cannot run a shuffle job \(it has no reducePartition\)/],
    ];
    for (const [fields, error] of cases) {
      const { status, body } = await env.submit(job('refused', { tag }, fields));
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(body.error)).toMatch(error);
    }
    expect(await jobsTagged(env, tag)).toEqual([]);
    expect(await keys(BUCKET, '')).toEqual(before);

    // A deployment without an object store has nowhere to shuffle through.
    const bare = await startPipeline({ db: DB });
    try {
      const { status, body } = await bare.submit(job('refused', { tag }, { input: 'https://example.com/ledger.csv' }));
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(body.error)).toMatch(/a shuffle goes through the object store, and this deployment has none/);
      expect(await jobsTagged(bare, tag)).toEqual([]);
    } finally {
      await bare.stop();
    }
  });

  it('fails the job at once when a map output lacks the key column, naming it, and leaves no object', async () => {
    const jobId = await env.submitAccepted(job('no-key', { key: 'acct' }));
    const st = await env.waitForJob(jobId);
    expect(st.state).toBe('failed');
    expect(st.error).toMatch(/the rows have no column "account" to partition by \(columns: acct, amount\)/);
    // No attempt would make it right: no task ran twice.
    expect(st.retries.tasks).toBe(0);
    await noObjectsLeft(jobId, 'no-key');
  });

  it('fails the job when a reducer keeps failing, and removes the map partitions and the other parts\' attempts', async () => {
    const jobId = await env.submitAccepted(job('failing', { failPartition: 1, reduceMs: 300 }));
    const st = await env.waitForJob(jobId);
    expect(st.state).toBe('failed');
    expect(st.error).toMatch(/reduce stage: .*partition 1 fails, as asked/);
    expect((await env.waitForJob(reduceJobIdOf(jobId))).state).toBe('failed');
    await noObjectsLeft(jobId, 'failing');
  });

  it('cancelling the job in its map stage stops it and removes the partitions written', async () => {
    const jobId = await env.submitAccepted(job('cancel-map', { ms: 800 }));
    await waitUntil('a wave of map tasks to be done', async () => {
      const done = await env.redis.hLen(jobKeys(jobId).partials);
      return done >= 4 ? true : undefined;
    });
    expect(await env.submit({ cancel: jobId })).toEqual({ status: 200, body: { jobId, state: 'cancelled' } });
    expect(await env.waitForJob(jobId)).toMatchObject({ state: 'cancelled' });
    await noObjectsLeft(jobId, 'cancel-map');
    expect(await settledToRecord(env, jobId)).toEqual([jobKeys(jobId).meta]);
    // The map stage never ended, so there is no reduce stage.
    expect(await env.redis.exists(jobKeys(reduceJobIdOf(jobId)).meta)).toBe(0);
  });

  it('cancelling the job in its reduce stage cancels that stage, writes no dataset and removes every object', async () => {
    const jobId = await env.submitAccepted(job('cancel-reduce', { reduceMs: 5000 }));
    const stageId = reduceJobIdOf(jobId);
    await waitUntil('the reducers to hold their partitions', async () => ((await env.redis.hLen(jobKeys(stageId).starts)) >= 3 ? true : undefined));
    expect((await keys(RESULTS, `jobs/${jobId}/shuffle/`)).length).toBeGreaterThan(0);
    // Whoever follows the map job sees its reduce stage move (a wait on the map job counts the stage's progress).
    const following = await env.jobs.status(jobId);
    expect(following).toMatchObject({ state: 'running', stage: { name: 'reduce', jobId: stageId, state: 'running', total: 3 } });
    expect(following.done).toBe(following.total);
    expect(await env.submit({ cancel: jobId })).toEqual({ status: 200, body: { jobId, state: 'cancelled' } });
    expect(await env.waitForJob(jobId)).toMatchObject({ state: 'cancelled' });
    expect(await env.waitForJob(stageId)).toMatchObject({ state: 'cancelled' });
    await noObjectsLeft(jobId, 'cancel-reduce');
    expect(await settledToRecord(env, jobId)).toEqual([jobKeys(jobId).meta]);
    expect(await settledToRecord(env, stageId)).toEqual([jobKeys(stageId).meta]);
  });
});
