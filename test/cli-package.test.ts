// The command as a package: its version, its help, the platform's environment, old job ids, and output that arrives
// whole through a pipe. Real child processes throughout; one platform (with the repo's manifest) for the jobs.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { cli, startPlatformProcess, type RunningPlatform } from './cli-helpers.ts';
import { freePort } from '../host/local/free-port.ts';
import { newJobId } from '../pipeline/job/ids.ts';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

describe('supercompute as a command', () => {
  it('prints its version from package.json', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("lists each kernel's parameters in run --help, one kernel's with run KERNEL --help", async () => {
    const all = await cli(['run', '--help']);
    expect(all.code).toBe(0);
    for (const line of [/^ {2}primes {2}/m, /^ {6}below +count the primes below/m, /^ {6}samples +points sampled/m, /^ {6}maxIter +iterations/m]) expect(all.stdout).toMatch(line);
    expect(all.stdout).toMatch(/--apihost <url>/);
    expect(all.stdout).toMatch(/^ {2}4 +the job was cancelled/m);
    const one = await cli(['run', 'wordcount', '--help']);
    expect(one.stdout).toMatch(/^ {6}url +an http\(s\) URL/m);
    expect(one.stdout).not.toMatch(/^ {6}below/m);
  });

  it('lists the benchmarks in bench --help, and the global options in every command help', async () => {
    const bench = await cli(['bench', '--help']);
    expect(bench.code).toBe(0);
    expect(bench.stdout).toMatch(/^ {2}pipeline +primes below 1e10/m);
    const commands = ['status', 'cancel', 'plot', 'deploy', 'doctor'];
    const helps = await Promise.all(commands.map((command) => cli([command, '--help'])));
    helps.forEach((r, i) => expect(r.stdout, commands[i]).toMatch(/--apihost <url>[\s\S]*--auth <uuid:key>/));
  });

  it('takes a job id that starts with "-" as the job id, bare or after --', async () => {
    const old = '-Ab3xYz0_kLmNoPqRsTuVw'; // the shape of ids made before they stopped starting with '-'
    const commands = [['status', old], ['status', '--', old], ['cancel', old], ['plot', old, '-o', 'nowhere']];
    const results = await Promise.all(commands.map((args) => cli(['--apihost', 'http://127.0.0.1:9', ...args])));
    results.forEach((r, i) => {
      expect(r.stderr, commands[i].join(' ')).not.toMatch(/unknown option/);
      expect(r.stderr, commands[i].join(' ')).toMatch(/connection refused/);
    });
    for (let i = 0; i < 2000; i++) expect(newJobId()).not.toMatch(/^-/);
  });

  it('uses every SUPERCOMPUTE_PLATFORM_* variable it documents when no option says otherwise', async () => {
    const port = await freePort();
    const auth = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:sekrit';
    const child = spawn(process.execPath, ['cli/bin.mjs', 'platform', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SUPERCOMPUTE_PLATFORM_HOST: '127.0.0.1',
        SUPERCOMPUTE_PLATFORM_PORT: String(port),
        SUPERCOMPUTE_PLATFORM_NAMESPACE: 'envspace',
        SUPERCOMPUTE_PLATFORM_AUTH: auth,
        SUPERCOMPUTE_PLATFORM_CONCURRENT_INVOCATIONS: '17',
        SUPERCOMPUTE_PLATFORM_INVOCATIONS_PER_MINUTE: '345',
        SUPERCOMPUTE_PLATFORM_FIRES_PER_MINUTE: '67',
      },
    });
    try {
      const exited = once(child, 'exit').then(([code]) => {
        throw new Error(`platform exited with ${code}`);
      });
      const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), exited])) as [string];
      const info = JSON.parse(line) as { url: string; namespace: string; auth: string };
      expect(info).toMatchObject({ url: `http://127.0.0.1:${port}`, namespace: 'envspace', auth });
      const res = await fetch(`${info.url}/api/v1/namespaces/_/limits`, { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } });
      expect(await res.json()).toMatchObject({ concurrentInvocations: 17, invocationsPerMinute: 345, firesPerMinute: 67 });
    } finally {
      child.kill('SIGINT');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});

describe('the package', () => {
  // npm warns EBADENGINE on Node 20 for any locked package that needs a newer Node (cookie 2 did, through fastify).
  it('locks no package that needs a Node newer than 20', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: { node?: string } }> };
    const tooNew = Object.entries(lock.packages)
      .filter(([, p]) => typeof p.engines?.node === 'string' && /^\s*>=?\s*v?(\d+)/.test(p.engines.node) && Number(/(\d+)/.exec(p.engines.node)![1]) > 20)
      .map(([path, p]) => `${path} (${p.engines!.node})`);
    expect(tooNew).toEqual([]);
  });
});

describe('supercompute run and status output', () => {
  let platform: RunningPlatform;
  beforeAll(async () => {
    platform = await startPlatformProcess(['--deploy']);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it("delivers a large --json whole through a pipe, and describes an image instead of printing it", async () => {
    // 600 × 450 pixels: a PNG well over the 64 KiB a pipe holds.
    const json = await cli(['run', 'mandelbrot', '-t', '2', '-p', 'width=600', '-p', 'height=450', '--json', '--apihost', platform.url]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.length).toBeGreaterThan(65_536);
    const out = JSON.parse(json.stdout) as { jobId: string; result: { png: string } };
    expect(out.result.png.length).toBeGreaterThan(65_536);
    const text = await cli(['status', out.jobId, '--apihost', platform.url]);
    expect(text.stdout).toMatch(/png: a PNG image of \d+ KiB \(save it with `supercompute status \S+ -o \S+\.png`\)/);
    expect(text.stdout).not.toContain(out.result.png.slice(0, 40));
  });

  it("names itself once in an error, even where the entry action's name begins the message", async () => {
    const r = await cli(['run', 'sleep', '-p', 'ms=0', '-t', '1', '--workers', '1', '--no-check-redis', '--auth', 'not:thekey', '--apihost', platform.url]);
    expect(r.code).toBe(1);
    // The first request is the kernel's lookup in the kernels package, which says what it asked.
    expect(r.stderr).toMatch(/^supercompute: (get package supercompute-kernels: )?The supplied authentication is invalid \(HTTP 401\)$/m);
    expect(r.stderr).not.toMatch(/supercompute: supercompute:/);
  });

  it('prints a failed job as JSON with its error under --json', async () => {
    const r = await cli(['run', 'map', '-p', 'source=() => { throw new Error("no such record") }', '-p', 'inputs=[1]', '-t', '1', '--json', '--apihost', platform.url]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'failed', error: expect.stringMatching(/no such record/) });
  });

  it('says so, with exit code 4, when its job is cancelled', async () => {
    const run = spawn(process.execPath, ['cli/bin.mjs', 'run', 'sleep', '-p', 'ms=60000', '-t', '4', '--workers', '1', '--no-progress', '--apihost', platform.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    run.stderr!.on('data', (d) => (stderr += d));
    const closed = once(run, 'close');
    const jobId = await new Promise<string>((resolve, reject) => {
      run.stderr!.on('data', () => {
        const m = /^job (\S+): sleep/m.exec(stderr);
        if (m) resolve(m[1]);
      });
      closed.then(() => reject(new Error(`run ended before it printed its job id:\n${stderr}`)));
    });
    const cancel = await cli(['cancel', jobId, '--apihost', platform.url]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const [code] = (await closed) as [number];
    expect(code).toBe(4);
    expect(stderr).toMatch(new RegExp(`sleep: job ${jobId} was cancelled after 0/4 tasks \\(exit code 4\\)`));
  });
});
