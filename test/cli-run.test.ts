// `supercompute run` and `status` against `supercompute platform --deploy` (the repo's manifest, a Redis).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
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

  it('says when a job does not exist', async () => {
    const r = await cli(['status', 'AAAAAAAAAAAAAAAAAAAAAA', '--apihost', platform.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown job/);
  });
});
