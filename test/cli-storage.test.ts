// `supercompute storage` as a user runs it: it starts, prints export lines that AWS tools read as they are, a client
// configured only by them puts and gets an object, and Ctrl-C stops it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cli } from './cli-helpers.ts';

// Uses only the environment, as any AWS tool would: endpoint, region, credentials and checksum settings.
const CLIENT = `
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
const s3 = new S3Client();
await s3.send(new CreateBucketCommand({ Bucket: 'tryout' }));
const body = Readable.from([Buffer.from('hello\\n'), Buffer.from('wörld\\n')]);
await s3.send(new PutObjectCommand({ Bucket: 'tryout', Key: 'dir/a.txt', Body: body, ContentLength: 13 }));
const got = await s3.send(new GetObjectCommand({ Bucket: 'tryout', Key: 'dir/a.txt' }));
process.stdout.write(JSON.stringify({ text: await got.Body.transformToString(), etag: got.ETag }));
`;

function awsFree(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('AWS_')));
}

describe('supercompute storage', () => {
  let dir: string;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exports: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sc-storage-'));
    child = spawn(process.execPath, ['cli/bin.mjs', 'storage', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = once(child, 'exit');
    const lines = createInterface({ input: child.stdout! });
    const exportLine = new Promise<string>((resolve) =>
      lines.on('line', (line: string) => {
        stdout += `${line}\n`;
        if (line.trim().startsWith('export ')) resolve(line.trim());
      }),
    );
    const line = await Promise.race([
      exportLine,
      exited.then(([code]) => {
        throw new Error(`storage exited with ${code} before it was ready:\n${stderr}`);
      }),
    ]);
    exports = Object.fromEntries(line.slice('export '.length).split(/\s+/).map((kv) => kv.split('=') as [string, string]));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints where it listens, where the data lives and the AWS variables for it', () => {
    expect(stdout).toContain(`data in ${dir}\n`);
    expect(stdout).toMatch(/^supercompute storage \(s3rver\) listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(exports).toEqual({
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    });
  });

  it('a client configured by those lines alone puts and gets an object (a streamed upload too)', async () => {
    const client = spawn(process.execPath, ['--input-type=module', '-e', CLIENT], {
      env: { ...awsFree(process.env), ...exports, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    let err = '';
    client.stdout.on('data', (d) => (out += d));
    client.stderr.on('data', (d) => (err += d));
    const [code] = await once(client, 'exit');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ text: 'hello\nwörld\n', etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
  });

  it('stops on SIGINT', async () => {
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stderr).toContain('SIGINT: stopping');
  });

  it('refuses a bad port, and a port already taken, clearly', async () => {
    const bad = await cli(['storage', '--port', 'nine']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--port must be a port number, got "nine"');
    const port = new URL(exports.AWS_ENDPOINT_URL).port;
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`]);
    await once(holder.stdout, 'data');
    try {
      const taken = await cli(['storage', '--port', port, '--dir', dir]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is already in use (choose another with --port)`);
    } finally {
      holder.kill();
    }
  });
});
