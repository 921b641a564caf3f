// Jobs over their own data (`input`): any kernel reads the records of its slice of S3 objects (a real s3rver) through
// the deployed pipeline, and gets the same result however the input is cut; bad inputs are refused before the job
// exists; an object changed under a running job fails it at once, naming the object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openwhisk from 'openwhisk';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { deployKernel } from '../host/kernels/deploy.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { generateTransactions, transactionRows } from '../examples/transactions/generate.ts';
import { aggregateLines } from '../examples/transactions/aggregate.ts';
import aggregate from '../examples/transactions/kernel.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import { wholeInputOf } from '../pipeline/data/job-input.ts';
import { cli } from './cli-helpers.ts';
import { jobKeys } from '../pipeline/store/keys.ts';

const DB = 6;
const BUCKET = 'data';
const SECRET = 'S3RVER';
let dir: string;
let s3: S3Server;
let client: S3Client;
let env: PipelineEnv;
const gates: Server[] = [];
/** Serves WORDS without range support. */
let plain: Server | undefined;

const TEXT = [
  'The quick brown fox — le renard brun rapide — jumps over the lazy dog.',
  "Don't count l’eau twice; ÉCOLE and école are one word, as are Straße and STRASSE? No: case-folding keeps ß.",
  '',
  '日本語 のテキスト and emoji 😀 between words, words_with_connectors and 123 numbers 123.',
].join('\r\n');
const WORDS = Array.from({ length: 40 }, (_, i) => `${TEXT}\nline ${i} of ${40 - i} words ${'again '.repeat(i % 5)}`).join('\n') + '\n';

async function put(key: string, body: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-data-jobs-'));
  s3 = await startS3Server({ port: 0, directory: dir, buckets: [BUCKET] });
  client = await createS3Client(readS3Settings(s3.env));
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL } = s3.env;
  // URLs name the local servers by `localhost`, which this deployment allows; 127.0.0.1 stays refused.
  env = await startPipeline({
    db: DB,
    deployParams: { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL },
    params: { supercompute: { allowHosts: 'localhost' } },
    secrets: [SECRET],
  });
  await put('words.txt', WORDS);
  await put('empty.txt', '');
  // Bytes that are not UTF-8 text, in lines.
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'binary.bin', Body: Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x00, 0x0a, 0x62, 0x0a]) }));
  plain = createServer((_req, res) => res.writeHead(200, { 'content-length': Buffer.byteLength(WORDS) }).end(WORDS));
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
});

afterAll(async () => {
  for (const gate of gates) gate.close();
  plain?.close();
  await env?.stop();
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a kernel over an input', () => {
  it('wordcount over an S3 object cut into small chunks equals wordcount over the same text inline', async () => {
    const inline = await env.run({ kernel: 'wordcount', params: { text: WORDS, top: 10000 }, tasks: 3 });
    expect(inline.state).toBe('done');
    const chunked = await env.run({ kernel: 'wordcount', params: { top: 10000 }, input: `s3://${BUCKET}/words.txt`, chunkSize: 300 });
    expect(chunked.state, chunked.error).toBe('done');
    expect(chunked.total).toBe(Math.ceil(Buffer.byteLength(WORDS) / 300));
    expect(chunked.result).toEqual(inline.result);
    const byCount = await env.run({ kernel: 'wordcount', params: { top: 10000 }, input: [`s3://${BUCKET}/words.txt`], tasks: 4, workers: 0 });
    expect(byCount.total).toBe(4);
    expect(byCount.result).toEqual(inline.result);
    // The CLI's door: --input and --chunk-size through the library's client.
    const r = await cli(['run', 'wordcount', '--input', `s3://${BUCKET}/words.txt`, '--chunk-size', '1KiB', '-p', 'top=10000', '--json', '--no-check-redis', '--apihost', env.platform.url, '--auth', env.platform.auth]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'done', total: Math.ceil(Buffer.byteLength(WORDS) / 1024), result: inline.result });
  });

  it('the transactions example gives its serial reference exactly, for any chunk size and over a prefix of several objects', async () => {
    const ow = openwhisk({ apihost: env.platform.url, api_key: env.platform.auth });
    await deployKernel(ow, 'examples/transactions/kernel.ts');
    await put('tx/all.csv', generateTransactions(3000, 7));
    const whole = aggregateLines(generateTransactions(3000, 7).split('\n'));
    expect(whole.rows).toBe(3000);
    for (const chunkSize of ['4KiB', 10_000, '64MiB']) {
      const job = await env.run({ kernel: 'aggregate', input: `s3://${BUCKET}/tx/all.csv`, chunkSize });
      expect(job.state, `${chunkSize}: ${job.error}`).toBe('done');
      expect(job.result, String(chunkSize)).toEqual(whole);
    }
    // The kernel's serial reference, one process reading the whole object by one plain GET, gives the same.
    const access = new DataAccess({ s3: readS3Settings(s3.env) });
    expect(await aggregate.reference!({ top: 10 }, await wholeInputOf(`s3://${BUCKET}/tx/all.csv`, access))).toEqual(whole);
    // A prefix of three objects, each with its header, cut by a task count.
    const parts = [1, 2, 3].map((seed) => generateTransactions(700 + seed * 100, seed));
    for (const [i, csv] of parts.entries()) await put(`tx/parts/${i}.csv`, csv);
    const all = aggregateLines(parts.flatMap((csv) => csv.split('\n')));
    expect(all.rows).toBe([...transactionRows(800, 1), ...transactionRows(900, 2), ...transactionRows(1000, 3)].length);
    const job = await env.run({ kernel: 'aggregate', params: { top: 10 }, input: `s3://${BUCKET}/tx/parts/`, tasks: 7 });
    expect(job.state, job.error).toBe('done');
    expect(job.total).toBe(7);
    expect(job.result).toEqual(all);
    expect(await aggregate.reference!({ top: 10 }, await wholeInputOf(`s3://${BUCKET}/tx/parts/`, access))).toEqual(all);
  });
});

describe('URLs', () => {
  const localhost = (port: number, path: string) => `http://localhost:${port}/${path}`;

  it("wordcount's url is the job's input: a URL that reads ranges is cut into tasks like any input", async () => {
    const inline = await env.run({ kernel: 'wordcount', params: { text: WORDS, top: 10000 }, tasks: 3 });
    // s3rver answers anonymous GETs with ranges, as a public web server does.
    const job = await env.run({ kernel: 'wordcount', params: { url: localhost(s3.port, `${BUCKET}/words.txt`), top: 10000 }, chunkSize: 300 });
    expect(job.state, job.error).toBe('done');
    expect(job.total).toBe(Math.ceil(Buffer.byteLength(WORDS) / 300));
    expect(job.result).toEqual(inline.result);
    const { status, body } = await env.submit({ kernel: 'wordcount', params: { url: localhost(s3.port, `${BUCKET}/words.txt`) }, input: `s3://${BUCKET}/words.txt` });
    expect(status).toBe(400);
    expect(body.error).toMatch(/give "url" or the job's 'input', not both/);
  });

  it('a URL whose server reads no ranges is one task, read whole', async () => {
    const inline = await env.run({ kernel: 'wordcount', params: { text: WORDS, top: 10000 }, tasks: 3 });
    const port = (plain!.address() as { port: number }).port;
    for (const body of [{ params: { url: localhost(port, 'words.txt'), top: 10000 }, chunkSize: 300 }, { params: { top: 10000 }, input: localhost(port, 'words.txt'), tasks: 4 }]) {
      const job = await env.run({ kernel: 'wordcount', ...body });
      expect(job.state, job.error).toBe('done');
      expect(job.total).toBe(1);
      expect(job.result).toEqual(inline.result);
    }
  });
});

describe('bad inputs', () => {
  const messageOf = (answer: Record<string, unknown>) => (typeof answer.error === 'string' ? answer.error : JSON.stringify(answer));

  async function refused(body: Record<string, unknown>, rest = false): Promise<{ status?: number; error: string }> {
    if (!rest) {
      const { status, body: answer } = await env.submit(body);
      return { status, error: messageOf(answer) };
    }
    // Deployment settings other than the bound ones: the entry action is final, so through the compositions' door,
    // `job-create`, which creates jobs with the same code and answers errors as results.
    const res = await fetch(`${env.platform.url}/api/v1/namespaces/_/actions/job-create?blocking=true&result=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: env.authorization },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as Record<string, unknown>;
    expect(answer.jobId, JSON.stringify(answer)).toBeUndefined();
    return { error: messageOf(answer) };
  }

  it('are a clear 4xx and leave no job behind', async () => {
    const before = await env.jobIds();
    const wc = { kernel: 'wordcount', params: {} };
    const cases: Array<[Record<string, unknown>, RegExp, boolean?]> = [
      [{ ...wc, input: 's3://no-such-bucket/x.txt' }, /no such bucket/],
      [{ ...wc, input: `s3://${BUCKET}/missing.txt` }, /s3:\/\/data\/missing\.txt: no such object/],
      [{ ...wc, input: `s3://${BUCKET}/empty.txt` }, /empty\.txt is empty/],
      [{ ...wc, input: `s3://${BUCKET}/nothing-here/` }, /no objects under this prefix/],
      [{ ...wc, input: `s3://${BUCKET}/words.txt`, chunkSize: '12 parsecs' }, /chunkSize must be a size/],
      [{ ...wc, input: `s3://${BUCKET}/words.txt`, chunkSize: 0 }, /chunkSize must be a size.*not positive/],
      [{ ...wc, chunkSize: '1MiB', params: { text: 'a' } }, /'chunkSize' needs an 'input'/],
      [{ ...wc, input: 'ftp://example.com/x' }, /is not an s3:\/\/BUCKET\/KEY/],
      [{ ...wc, input: 'http://127.0.0.1:9/data.txt' }, /URL refers to a non-public address/],
      [{ ...wc, input: `s3://${BUCKET}/words.txt`, params: { text: 'both' } }, /give no "text" or "url" as well/],
      [{ ...wc, input: `s3://${BUCKET}/words.txt`, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }, /could not reach the S3 endpoint http:\/\/127\.0\.0\.1:1/, true],
      [{ ...wc, input: `s3://${BUCKET}/words.txt`, AWS_ACCESS_KEY_ID: 'NOBODY', AWS_SECRET_ACCESS_KEY: 'never-shown-secret' }, /access denied by the S3 endpoint/, true],
    ];
    for (const [body, message, rest] of cases) {
      const { status, error } = await refused(body, rest);
      if (!rest) expect(status, error).toBe(400);
      expect(error).toMatch(message);
      expect(error).not.toContain('never-shown-secret');
    }
    expect(await env.jobIds()).toEqual(before);
  });
});

describe('binary input to a line kernel', () => {
  it('fails the job at once, naming the object and the byte, without spending retries', async () => {
    const job = await env.run({ kernel: 'wordcount', params: {}, input: `s3://${BUCKET}/binary.bin`, chunkSize: 4 });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/^task \d failed: s3:\/\/data\/binary\.bin: the record at byte 2 is not UTF-8 text \(read binary data as byte chunks\)/);
    expect(job.retries).toMatchObject({ tasks: 0, invocations: 0 });
  });
});

describe('an input that changes under a running job', () => {
  /** A URL that answers only once `open()` is called; `arrived` resolves at the first request. */
  async function startGate(): Promise<{ url: string; arrived: Promise<unknown>; open: () => void }> {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const server = createServer((_req, res) => void opened.then(() => res.end('go')));
    gates.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const arrived = once(server, 'request');
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, arrived, open };
  }

  it('fails the job at once, naming the object, without spending retries (pull and push mode)', async () => {
    const ow = openwhisk({ apihost: env.platform.url, api_key: env.platform.auth });
    await deployKernel(ow, 'test/fixtures/kernels/gated-lines.ts');
    for (const [mode, workers] of [['pull', 2], ['push', 0]] as const) {
      const key = `changing-${mode}.txt`;
      await put(key, 'one\ntwo\nthree\n');
      // Tasks wait on the gate until the object has been replaced.
      const gate = await startGate();
      const { status, body } = await env.submit({ kernel: 'gated-lines', params: { gate: gate.url }, input: `s3://${BUCKET}/${key}`, chunkSize: 4, workers });
      expect(status, JSON.stringify(body)).toBe(200);
      await gate.arrived;
      await put(key, 'one\ntwo\nthree\nfour\n');
      gate.open();
      const job = await env.waitForJob(body.jobId as string);
      expect(job.state, mode).toBe('failed');
      expect(job.error).toMatch(new RegExp(`^task \\d failed: s3://data/changing-${mode}\\.txt changed since the job was split \\(ETag "[0-9a-f]+" then, "[0-9a-f]+" now\\)`));
      // No attempt was made again: the first failure failed the job.
      expect(job.retries, mode).toMatchObject({ tasks: 0, invocations: 0 });
      const attempts = Object.values(await env.redis.hGetAll(jobKeys(body.jobId as string).attempts)).map(Number);
      for (const a of attempts) expect(a, mode).toBe(1);
    }
  });
});
