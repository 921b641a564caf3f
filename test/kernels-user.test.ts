// A user's kernel, deployed the way every kernel is (`supercompute kernel deploy`, the real CLI as a child process):
// every door runs it, a redeploy leaves running jobs on the code they started with, removing it makes it unknown, and
// a module that is no kernel is refused with nothing deployed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { cli } from './cli-helpers.ts';
import { waitUntil } from './helpers/wait-until.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { KERNEL_PACKAGE } from '../pipeline/kernel-actions/catalog.ts';
import squares from './fixtures/kernels/squares.ts';

const DB = 11;
const FIXTURES = 'test/fixtures/kernels';
let env: PipelineEnv;
let dir: string;
let target: string[];

beforeAll(async () => {
  env = await startPipeline({ db: DB, params: { supercompute: { supervisorMs: 250, probeAfterMs: 500 } } });
  target = ['--apihost', env.platform.url, '--auth', env.platform.auth];
  dir = mkdtempSync(join(tmpdir(), 'sc-user-kernels-'));
});
afterAll(async () => {
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const kernelCli = (...args: string[]) => cli(['kernel', ...args, ...target]);
const kernelActions = async () => ((await env.ow.packages.get({ name: KERNEL_PACKAGE })).actions as Array<{ name: string }>).map((a) => a.name).sort();

describe('a user kernel', () => {
  const params = { n: 1000 };
  const expected = () => squares.reference!(squares.parse(params));

  it('deploys from its module with the CLI, and kernel list shows it beside the built-in kernels', async () => {
    const r = await kernelCli('deploy', join(FIXTURES, 'squares.ts'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^deployed kernel squares version [0-9a-f]{10} /);
    const list = await kernelCli('list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const kernels = JSON.parse(list.stdout) as Array<Record<string, any>>;
    expect(kernels.map((k) => k.name)).toEqual(['mandelbrot', 'map', 'pi', 'primes', 'sleep', 'squares', 'wordcount']);
    expect(kernels.find((k) => k.name === 'squares')).toMatchObject({ builtin: false, description: squares.description, params: squares.params });
    for (const k of kernels.filter((k) => k.name !== 'squares')) {
      expect(k.builtin, k.name).toBe(true);
      expect(Object.keys(k.params).length, k.name).toBeGreaterThan(0);
    }
    const text = await kernelCli('list');
    expect(text.stdout).toMatch(/squares {2}user {2}version [0-9a-f]{10} {2}deployed \d{4}-/);
    expect(text.stdout).toContain('    n: sum over 0 … n-1');
    // `run KERNEL --help` shows the deployed kernel's params: the user's kernel too.
    const help = await cli(['run', 'squares', '--help', ...target]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Kernel, as deployed on ${env.platform.url.replace(/[.]/g, '\\.')}:$`, 'm'));
    expect(help.stdout).toMatch(/^ {2}squares {2}/m);
    expect(help.stdout).toMatch(/^ {6}n {3}sum over 0 … n-1/m);
    expect(help.stdout).toMatch(/^ {6}ms {2}each task waits/m);
    expect(help.stdout).not.toMatch(/^ {6}below/m);
  });

  it('gives the same exact result through the CLI, the supercompute action and its web URL', async () => {
    const run = await cli(['run', 'squares', '--param', 'n=1000', '--tasks', '3', '--json', '--no-check-redis', ...target]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'done', result: await expected() });

    const invoked = await env.ow.actions.invoke({ name: 'supercompute', params: { kernel: 'squares', params, tasks: 2 }, blocking: true, result: true });
    expect(await env.waitForJob(invoked.jobId)).toMatchObject({ state: 'done', result: await expected() });

    const web = await env.submitAccepted({ kernel: 'squares', params, workers: 2 });
    expect(await env.waitForJob(web)).toMatchObject({ state: 'done', result: await expected() });
  });

  it('keeps a running job on the code it started with when the kernel is redeployed; new jobs get the new code', async () => {
    const running = await env.submitAccepted({ kernel: 'squares', params: { n: 1000, ms: 1500 }, tasks: 2 });
    await waitUntil('a task to start', async () => ((await env.redis.hLen(jobKeys(running).starts)) > 0 ? true : undefined));
    const r = await kernelCli('deploy', join(FIXTURES, 'squares-v2.ts'));
    expect(r.code, r.stderr).toBe(0);
    const next = await env.submitAccepted({ kernel: 'squares', params, tasks: 2 });
    expect(await env.waitForJob(running)).toMatchObject({ state: 'done', result: { sum: (await expected()).sum, version: 1 } });
    expect(await env.waitForJob(next)).toMatchObject({ state: 'done', result: { sum: (await expected()).sum, version: 2 } });
    // Both versions stay deployed for the jobs that pinned them; the listing shows the current one.
    const listed = JSON.parse((await kernelCli('list', '--json')).stdout) as Array<Record<string, any>>;
    expect(listed.find((k) => k.name === 'squares')).toMatchObject({ versions: 2 });
  });

  it("fails a job whose work throws with the kernel's message, the task and its stack, after the task's retries", async () => {
    const jobId = await env.submitAccepted({ kernel: 'squares', params: { n: 100, failTask: 1 }, tasks: 2 });
    const failed = await env.waitForJob(jobId);
    expect(failed).toMatchObject({ state: 'failed' });
    expect(failed.error).toMatch(/^task 1 failed: squares refuses task 1\n {4}at /);
    expect(Object.values(await env.redis.hGetAll(jobKeys(jobId).attempts)).map(Number)).toContain(3);
  });

  it('fails a job whose partial cannot be stored, saying why', async () => {
    const bigint = await env.waitForJob(await env.submitAccepted({ kernel: 'squares', params: { n: 100, badPartial: 'bigint' }, tasks: 1 }));
    expect(bigint).toMatchObject({ state: 'failed' });
    expect(bigint.error).toMatch(/^task 0 failed: its partial is not JSON-serialisable: .*BigInt/);
    const huge = await env.waitForJob(await env.submitAccepted({ kernel: 'squares', params: { n: 100, badPartial: 'huge' }, workers: 1, tasks: 1 }));
    expect(huge).toMatchObject({ state: 'failed' });
    expect(huge.error).toMatch(/^task 0 failed: its partial is \d+ bytes of JSON, more than the 8388608 a partial may be/);
  });

  it('refuses modules that are no kernel, names clashing with a built-in kernel, and modules that do not build; nothing is deployed', async () => {
    const before = await kernelActions();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const cases: Array<[string[], RegExp]> = [
      [['deploy', write('no-default.ts', 'export const answer = 42;\n')], /is not a kernel:\n\s+the module's default export must be a kernel object/],
      [
        ['deploy', write('no-reduce.js', "export default { name: 'halfway', description: 'x', parse: (p) => p, split: (p, n) => n, work: () => 1 };\n")],
        /is not a kernel:\n\s+"reduce" must be a function/,
      ],
      [['deploy', join(FIXTURES, 'squares.ts'), '--name', 'pi'], /kernel name 'pi' is a built-in kernel's; give another name \(--name\), or --force/],
      [['deploy', write('broken.ts', "import { nothing } from 'no-such-package-here';\nexport default nothing;\n")], /does not build:\n.*broken\.ts:1:\d+: Could not resolve "no-such-package-here"/],
      [['deploy', write('throws.js', "throw new Error('kernel module blew up');\n")], /fails to load: .*kernel module blew up/],
    ];
    for (const [args, message] of cases) {
      const r = await kernelCli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(await kernelActions()).toEqual(before);
  });

  it('is removed by kernel remove, after which it is an unknown kernel; built-in kernels need --force', async () => {
    const builtin = await kernelCli('remove', 'pi');
    expect(builtin.code).toBe(1);
    expect(builtin.stderr).toMatch(/'pi' is a built-in kernel; --force to remove it/);
    const r = await kernelCli('remove', 'squares');
    expect(r.code, r.stderr).toBe(0);
    expect((await kernelActions()).filter((a) => a.startsWith('squares'))).toEqual([]);
    const refused = await env.submit({ kernel: 'squares', params, tasks: 2 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("unknown kernel 'squares' (one of: mandelbrot, map, pi, primes, sleep, wordcount)");
    const run = await cli(['run', 'squares', '--param', 'n=10', '--tasks', '2', '--no-check-redis', ...target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown kernel 'squares'");
  });
});
