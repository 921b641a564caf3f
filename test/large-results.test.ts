// Large partials and results (over the deployment's `inlineResultBytes`) kept in the object store (a real s3rver)
// with a reference in Redis: the status carries the reference, `status.http/ID.png` serves the stored image, the CLI's
// `-o` writes the real PNG, the library reads the result back, partials in the store reduce exactly, and a store that
// cannot be reached at reduce time fails the job naming the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { storedRefOf } from '../pipeline/data/value-ref.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { Supercompute } from '../host/library/index.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { cli } from './cli-helpers.ts';

// pipeline-jobs.test.ts uses this database too; neither file looks at the other's keys.
const DB = 11;
const BUCKET = 'supercompute-results';
const INLINE = 20_000;
// Partials of about 10 KB (inline), a result of about 65 KB (stored).
const IMAGE = { width: 600, height: 400, maxIter: 60 };
const AWS_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_ENDPOINT_URL'] as const;

let dir: string;
let s3: S3Server;
let client: S3Client;
let env: PipelineEnv;
let sc: Supercompute;
const savedEnv: Record<string, string | undefined> = {};

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

function decodePng(bytes: Buffer): PNG {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return PNG.sync.read(bytes);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-large-results-'));
  // No bucket yet: the first large value creates it.
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3') });
  client = await createS3Client(readS3Settings(s3.env));
  const aws = Object.fromEntries(AWS_NAMES.map((name) => [name, s3.env[name]]));
  env = await startPipeline({ db: DB, deployParams: aws, params: { supercompute: { inlineResultBytes: INLINE } } });
  // The host reads stored results with its own AWS settings (the CLI's children inherit them).
  for (const name of AWS_NAMES) {
    savedEnv[name] = process.env[name];
    process.env[name] = s3.env[name];
  }
  sc = new Supercompute({ apihost: env.platform.url, auth: env.platform.auth });
});

afterAll(async () => {
  for (const name of AWS_NAMES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
  await env?.stop();
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a result over inlineResultBytes', () => {
  it('is kept in the object store: status carries the reference, status.http/ID.png serves the image, -o writes a PNG', async () => {
    const job = await env.run({ kernel: 'mandelbrot', params: IMAGE, tasks: 3 });
    expect(job.state, job.error).toBe('done');
    expect(job.result).toBeUndefined();
    const ref = job.resultRef;
    expect(ref).toMatchObject({ $ref: `s3://${BUCKET}/jobs/${job.jobId}/result.json`, contentType: 'application/json' });
    expect(ref.bytes).toBeGreaterThan(INLINE);
    expect(ref.image).toMatchObject({ $ref: `s3://${BUCKET}/jobs/${job.jobId}/result.png`, contentType: 'image/png' });
    expect(await keysUnder(`jobs/${job.jobId}/`)).toEqual([`jobs/${job.jobId}/result.json`, `jobs/${job.jobId}/result.png`]);
    // Redis holds the reference, not the value.
    expect(storedRefOf((await env.redis.get(jobKeys(job.jobId).result))!)).toEqual(ref);

    const res = await fetch(`${env.web}/status.http/${job.jobId}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const served = Buffer.from(await res.arrayBuffer());
    expect(served.length).toBe(ref.image.bytes);
    expect(decodePng(served)).toMatchObject({ width: IMAGE.width, height: IMAGE.height });

    // `status -o` writes the stored image and the stored JSON; the library returns the value.
    const png = join(dir, 'status.png');
    const json = join(dir, 'status.json');
    const args = ['--apihost', env.platform.url, '--auth', env.platform.auth];
    const r1 = await cli(['status', job.jobId, '-o', png, ...args]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).toContain(`in the object store at ${ref.$ref}`);
    // The output is what was asked for: no AWS SDK notice about Node versions (README, "Node 20 and the AWS SDK").
    expect(r1.stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK/);
    expect(readFileSync(png)).toEqual(served);
    const r2 = await cli(['status', job.jobId, '-o', json, ...args]);
    expect(r2.code, r2.stderr).toBe(0);
    const value = JSON.parse(readFileSync(json, 'utf8')) as { width: number; height: number; png: string };
    expect(value).toMatchObject({ width: IMAGE.width, height: IMAGE.height });
    expect(Buffer.from(value.png, 'base64')).toEqual(served);
  });

  it('`run -o x.png` writes the PNG and the library returns the image', async () => {
    const out = join(dir, 'run.png');
    const p = Object.entries(IMAGE).flatMap(([k, v]) => ['-p', `${k}=${v}`]);
    const r = await cli(['run', 'mandelbrot', ...p, '-t', '2', '-o', out, '--no-progress', '--no-check-redis', '--apihost', env.platform.url, '--auth', env.platform.auth]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/result: in the object store at s3:\/\/supercompute-results\/jobs\/\S+\/result\.json/);
    expect(decodePng(readFileSync(out))).toMatchObject({ width: IMAGE.width, height: IMAGE.height });

    const job = await sc.run<{ width: number; height: number; png: string }>('mandelbrot', IMAGE, { tasks: 2, workers: 0 });
    const result = await job.result();
    expect(decodePng(Buffer.from(result.png, 'base64'))).toMatchObject({ width: IMAGE.width, height: IMAGE.height });
    expect(Buffer.from(result.png, 'base64')).toEqual(readFileSync(out));
    expect((await job.resultRef())?.$ref).toBe(`s3://${BUCKET}/jobs/${job.id}/result.json`);
  });

  it('partials over inlineResultBytes are stored too and reduce exactly', async () => {
    const inputs = [25_000, 7, 30_000];
    const job = await sc.run<string[]>('map', { source: '(n) => String(n % 10).repeat(n)', inputs }, { tasks: 3, workers: 1 });
    const result = await job.result();
    expect(result).toEqual(inputs.map((n) => String(n % 10).repeat(n)));
    const partials = Object.values(await env.redis.hGetAll(jobKeys(job.id).partials));
    expect(partials.filter((p) => storedRefOf(p) !== undefined)).toHaveLength(2);
    expect(partials.filter((p) => storedRefOf(p) === undefined).map((p) => p.length < INLINE)).toEqual([true]);
    expect((await keysUnder(`jobs/${job.id}/partials/`)).length).toBe(2);
  });
});

describe('an object store that cannot be reached', () => {
  // Last: it stops the store.
  it('at reduce time fails the job with an error naming the store', async () => {
    await s3.stop();
    const job = await env.run({ kernel: 'mandelbrot', params: IMAGE, tasks: 3 });
    expect(job.state).toBe('failed');
    expect(job.error).toContain(`reduce failed: the object store at ${s3.env.AWS_ENDPOINT_URL} could not store s3://${BUCKET}/jobs/${job.jobId}/`);
    expect(job.error).toContain('could not reach');
  });
});
