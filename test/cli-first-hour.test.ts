// What a new user meets in their first hour: `-i` as the input, a platform that is not running or has nothing
// deployed, Ctrl-C, `-o` without an extension, messages that say what to do, and a result read on a terminal.
// Real child processes throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli-helpers.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { startWithClient } from './helpers/platform-client.ts';
import type { Platform } from '../platform/index.ts';
import { summarizeResult } from '../cli/report.ts';
import { inputError } from '../pipeline/data/input-error.ts';
import { waitUntil } from './helpers/wait-until.ts';

const NOTHING = 'http://127.0.0.1:1';

describe('with nothing running at the API host', () => {
  it('-i is run\'s --input, not a global flag', async () => {
    const r = await cli(['--apihost', NOTHING, 'run', 'wordcount', '-i', 's3://data/tx/']);
    expect(r.stderr).not.toMatch(/too many arguments/);
    expect(r.stderr).toMatch(/nothing answers at http:\/\/127\.0\.0\.1:1 \(connection refused\)/);
  });

  it('every command says at once, in one sentence, that nothing answers and how to start a platform', async () => {
    const commands = [['run', 'primes', '-p', 'below=1000'], ['status', 'somejob'], ['cancel', 'somejob'], ['kernel', 'list'], ['deploy']];
    const results = await Promise.all(commands.map((args) => cli(['--apihost', NOTHING, ...args])));
    results.forEach((r, i) => {
      const what = commands[i]!.join(' ');
      expect(r.code, what).toBe(3);
      expect(r.stderr, what).toMatch(/nothing answers at http:\/\/127\.0\.0\.1:1 \(connection refused\): is the platform running\? Start one with `supercompute platform`/);
      // Said on the first refusal, not after a round of retries.
      expect(r.stderr, what).not.toMatch(/gave up after/);
    });
  });

  it('says once which platform it talks to when nothing names one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'no-wskprops-'));
    try {
      const env = { HOME: home, __OW_API_HOST: '', WSK_CONFIG_FILE: join(home, 'none') };
      const r = await cli(['status', 'somejob'], env);
      expect(r.stderr.match(/talking to http:\/\/127\.0\.0\.1:3233, the embedded platform's address/g)).toHaveLength(1);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('a platform with nothing deployed', () => {
  let platform: Platform;
  beforeAll(async () => {
    ({ platform } = await startWithClient());
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('says to run supercompute deploy', async () => {
    const r = await cli(['--apihost', platform.url, '--auth', platform.auth, 'run', 'primes', '-p', 'below=1000', '-t', '2', '--no-check-redis']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown kernel 'primes' \(no kernels are deployed here: deploy them with `supercompute deploy`\)/);
  });
});

describe('on a deployed pipeline', () => {
  let env: PipelineEnv;
  let dir: string;
  const target = () => ['--apihost', env.platform.url, '--auth', env.platform.auth, '--no-check-redis'];
  beforeAll(async () => {
    env = await startPipeline({ db: 15 });
    dir = mkdtempSync(join(tmpdir(), 'first-hour-'));
  });
  afterAll(async () => {
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `run` as a child process, resolved with the job's id once it says it; and the child, to signal. */
  async function startRun(args: string[]) {
    const child = spawn(process.execPath, ['cli/bin.mjs', 'run', ...args, ...target(), '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = once(child, 'close') as Promise<[number | null]>;
    const jobId = await waitUntil('run to name its job', async () => /job (\S+): sleep on/.exec(stderr)?.[1], async () => stderr);
    return { child, jobId, closed, stderr: () => stderr };
  }

  it('the first Ctrl-C cancels the job and waits for it to end', async () => {
    const run = await startRun(['sleep', '-p', 'ms=60000', '-t', '4', '--workers', '2']);
    run.child.kill('SIGINT');
    const [code] = await run.closed;
    expect(run.stderr()).toContain(`cancelling job ${run.jobId} (Ctrl-C again to stop waiting; the cancel goes on)`);
    expect(code).toBe(4);
    expect((await env.jobs.status(run.jobId)).state).toBe('cancelled');
  });

  it('a second Ctrl-C stops waiting at once', async () => {
    const run = await startRun(['sleep', '-p', 'ms=60000', '-t', '4', '--workers', '2']);
    run.child.kill('SIGINT');
    await waitUntil('the cancel to be said', async () => (run.stderr().includes('cancelling job') ? true : undefined));
    run.child.kill('SIGINT');
    const [code] = await run.closed;
    expect([4, 130]).toContain(code);
    expect((await waitUntil('the job to end cancelled', async () => ((await env.jobs.status(run.jobId)).state === 'cancelled' ? true : undefined)))).toBe(true);
  });

  it('-o FILE without an extension writes FILE.json; -o x.png says where it wrote the image', async () => {
    const json = await cli(['run', 'pi', '-p', 'samples=1000', '-t', '2', '-o', join(dir, 'pi'), ...target()]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'pi.json'), 'utf8'))).toMatchObject({ samples: expect.any(Number) });
    const png = await cli(['run', 'mandelbrot', '-p', 'width=64', '-p', 'height=48', '-t', '2', '-o', join(dir, 'm.png'), ...target()]);
    expect(png.code, png.stderr).toBe(0);
    expect(existsSync(join(dir, 'm.png'))).toBe(true);
    expect(png.stdout).not.toMatch(/save it with `-o FILE.png` next time/);
    expect(png.stdout).toContain(`written to ${join(dir, 'm.png')}`);
  });

  it('says a bad value with the value, and a bad input once', async () => {
    const below = await cli(['run', 'primes', '-p', 'below=ten', '-t', '2', ...target()]);
    expect(below.stderr).toMatch(/got string "ten"/);
    const ftp = await cli(['run', 'wordcount', '-i', 'ftp://example.com/x.txt', ...target()]);
    expect(ftp.code).not.toBe(0);
    expect(ftp.stderr).toMatch(/input/);
    expect(ftp.stderr).not.toMatch(/input: input:/);
  });
});

describe('what the messages and the terminal show', () => {
  it('refused credentials say the settings are bound at deploy', () => {
    const err = inputError(new Error('s3://b/k: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.'));
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/^input: s3:\/\/b\/k: InvalidAccessKeyId.*run `supercompute deploy` again\)$/);
    expect(inputError(new Error('input: "ftp://x" is not an s3:// URL')).message).toBe('input: "ftp://x" is not an s3:// URL');
  });

  it("a nested result reads as short tables on a terminal: wordcount's top words", () => {
    const top = Array.from({ length: 50 }, (_, i) => [`word${i}`, 1000 - i]);
    const lines = summarizeResult({ top, words: 123456 }).split('\n');
    expect(lines).toContain('  top: 50 items');
    expect(lines).toContain('    word0  1,000');
    expect(lines).toContain('    … and 40 more (--json for all)');
    expect(lines).toContain('  words: 123,456');
    expect(lines.length).toBeLessThan(16);
    expect(summarizeResult({ columns: ['branch', 'spend'], rows: [['north', 12], ['south', 7]] }).split('\n')).toEqual(['', '  result: 2 rows', '    branch  spend', '    north   12', '    south   7']);
  });
});
