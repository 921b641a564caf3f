// `supercompute run` and `status` against `supercompute platform --deploy` (the repo's manifest, a Redis).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, startPlatformProcess, type RunningPlatform } from './cli-helpers.ts';

let platform: RunningPlatform;

beforeAll(async () => {
  platform = await startPlatformProcess(['--deploy']);
});

afterAll(async () => {
  await platform?.stop();
});

describe('supercompute run', () => {
  let jobId = '';

  it('runs sleep on 20 tasks and prints the final status as JSON', async () => {
    const r = await cli(['run', 'sleep', '--param', 'ms=0', '--tasks', '20', '--json', '--apihost', platform.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ state: 'done', done: 20, total: 20, kernel: 'sleep', tasks: 20 });
    expect(out.result).toMatchObject({ tasks: 20 });
    expect(typeof out.jobId).toBe('string');
    expect(out.timings).toBeTypeOf('object');
    jobId = out.jobId as string;
  });

  it('runs a pull-mode job with --workers', async () => {
    const r = await cli(['run', 'sleep', '--param', 'ms=0', '--tasks', '12', '--workers', '3', '--json', '--apihost', platform.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'done', done: 12, total: 12, result: { tasks: 12 } });
  });

  it('shows a finished job with `status`', async () => {
    const json = await cli(['status', jobId, '--json', '--apihost', platform.url]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ jobId, state: 'done', done: 20, total: 20 });
    const text = await cli(['status', jobId, '--apihost', platform.url]);
    expect(text.stdout).toMatch(new RegExp(`job ${jobId}: done, 20/20 tasks done`));
    expect(text.stdout).toMatch(/timings:/);
  });

  it('prints the result and timings for people', async () => {
    const r = await cli(['run', 'primes', '--param', 'below=1e6', '--tasks', '4', '--apihost', platform.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/primes: done, 4\/4 tasks in/);
    expect(r.stdout).toMatch(/count: 78,498/);
    expect(r.stdout).toMatch(/timings:/);
  });

  it('refuses an unknown kernel and bad kernel parameters', async () => {
    const unknown = await cli(['run', 'nosuchkernel', '--tasks', '2', '--apihost', platform.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown kernel 'nosuchkernel' \(one of: .*primes/);
    const bad = await cli(['run', 'primes', '--param', 'below=-5', '--tasks', '2', '--apihost', platform.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid params for kernel 'primes'/);
  });

  it('checks --out before anything runs: a bad one invokes nothing and writes nothing', async () => {
    // The entry action's activations: none new means no job was submitted.
    const invocations = async () => {
      const res = await fetch(`${platform.url}/api/v1/namespaces/_/activations?name=supercompute&limit=200`, {
        headers: { authorization: `Basic ${Buffer.from(platform.auth).toString('base64')}` },
      });
      return ((await res.json()) as unknown[]).length;
    };
    const dir = mkdtempSync(join(tmpdir(), 'sc-out-'));
    try {
      const before = await invocations();
      const cases: [string, RegExp][] = [
        [join(dir, 'missing', 'x.png'), /--out: directory .*missing does not exist/],
        [join(dir, 'x.gif'), /kernel 'mandelbrot' results are written as .json, or .png for an image result, not '.gif'/],
      ];
      for (const [out, message] of cases) {
        const r = await cli(['run', 'mandelbrot', '-p', 'width=16', '-p', 'height=8', '-t', '2', '-o', out, '--apihost', platform.url]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(message);
      }
      expect(await invocations()).toBe(before);
      expect(readdirSync(dir)).toEqual([]);
      // A good one is written whole, nothing beside it.
      const ok = await cli(['run', 'mandelbrot', '-p', 'width=16', '-p', 'height=8', '-t', '2', '-o', join(dir, 'm.png'), '--no-progress', '--apihost', platform.url]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(readdirSync(dir)).toEqual(['m.png']);
      expect(readFileSync(join(dir, 'm.png')).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when a job does not exist', async () => {
    const r = await cli(['status', 'AAAAAAAAAAAAAAAAAAAAAA', '--apihost', platform.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown job/);
  });

  it('plans a job given no sizing and prints the plan and why before running it', async () => {
    const r = await cli(['run', 'primes', '--param', 'below=1e6', '--apihost', platform.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^plan: 1 task on 1 worker \(pull mode\)\n {2}why: primes: under 1 ms of CPU, .*; 1 task: none smaller than 50 ms of CPU/m);
    expect(r.stdout).toMatch(/count: 78,498/);
  });

  it('takes --tasks and --workers over the plan, and reports the plan in --json', async () => {
    const slots = availableParallelism();
    const tasksOnly = await cli(['run', 'pi', '--param', 'samples=1e5', '--tasks', '4', '--json', '--apihost', platform.url]);
    expect(tasksOnly.code, tasksOnly.stderr).toBe(0);
    expect(JSON.parse(tasksOnly.stdout)).toMatchObject({ state: 'done', total: 4, plan: { tasks: 4, workers: Math.min(4, slots) } });
    const push = await cli(['run', 'pi', '--param', 'samples=1e5', '--tasks', '4', '--workers', '0', '--json', '--apihost', platform.url]);
    expect(push.code, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ state: 'done', total: 4, plan: { tasks: 4, workers: 0 } });
    const workersOnly = await cli(['run', 'sleep', '--param', 'ms=0', '--workers', '2', '--slots', '5', '--json', '--apihost', platform.url]);
    expect(workersOnly.code, workersOnly.stderr).toBe(0);
    expect(JSON.parse(workersOnly.stdout)).toMatchObject({ state: 'done', total: 64, plan: { tasks: 64, workers: 2 } });
  });
});

describe('supercompute run and status while every status activation is lost', () => {
  let lossy: RunningPlatform;
  beforeAll(async () => {
    lossy = await startPlatformProcess(['--deploy'], { SUPERCOMPUTE_FAULTS: JSON.stringify({ seed: 'lost', actions: 'status', dropActivation: 1 }) });
  });
  afterAll(async () => {
    await lossy?.stop();
  });

  it('ends `run` at --wait-timeout with its own exit code and a message that is not a job failure', async () => {
    // --wait-timeout bounds the whole command: long enough for planning and the submit on a busy machine.
    const r = await cli(['run', 'sleep', '--param', 'ms=0', '--tasks', '2', '--wait-timeout', '20', '--no-progress', '--apihost', lossy.url]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/could not read the status of job \S+ \(\d+ polls failed in a row, then the wait timed out\)/);
    expect(r.stderr).toMatch(/may still be running: follow it with `supercompute status \S+`/);
    expect(r.stderr).not.toMatch(/failed after/);
    const jobId = /job (\S+): sleep on 2 tasks/.exec(r.stderr)![1]!;

    const look = await cli(['status', jobId, '--wait-timeout', '1', '--apihost', lossy.url]);
    expect(look.code, look.stderr).toBe(3);
    expect(look.stderr).toMatch(new RegExp(`could not read the status of job ${jobId}: status: no answer within \\d+ ms`));
  });

  it('documents its exit codes', async () => {
    const help = await cli(['run', '--help']);
    expect(help.stdout).toMatch(/3 +the job's status could not be read/);
  });
});
