// `supercompute doctor` against the embedded platform: ready when deployed as the repo builds it; a clear FAIL, a
// fix and exit code 1 when Redis is out of the actions' reach or the limits are too small for --tasks.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cli, startPlatformProcess, type RunningPlatform } from './cli-helpers.ts';
import { limitsOf } from '../host/doctor/limits.ts';
import { runtimeKinds } from '../host/doctor/target-info.ts';

let ready: RunningPlatform;
let broken: RunningPlatform;

beforeAll(async () => {
  [ready, broken] = await Promise.all([
    startPlatformProcess(['--deploy']),
    // Actions bound to a Redis on a closed port, on a platform that allows 50 invocations at once.
    startPlatformProcess(['--deploy', '-p', 'redisUrl=redis://:doctor-secret@127.0.0.1:9'], { SUPERCOMPUTE_PLATFORM_CONCURRENT_INVOCATIONS: '50' }),
  ]);
});

afterAll(async () => {
  await Promise.all([ready?.stop(), broken?.stop()]);
});

const doctor = (p: RunningPlatform, ...args: string[]) => cli(['doctor', '--apihost', p.url, '--auth', p.auth, ...args]);

describe('supercompute doctor', () => {
  it('finds a freshly deployed platform ready for a job of 200 tasks', async () => {
    const r = await doctor(ready, '--tasks', '200');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok +reachable and authenticated: /m);
    expect(r.stdout).toMatch(/^ok +nodejs:20 runtime/m);
    expect(r.stdout).toMatch(/^ok +pipeline actions deployed and current: \d+ actions, the same code as build\//m);
    expect(r.stdout).toMatch(/^ok +concurrent invocations: 10000 \(needs 208\)/m);
    expect(r.stdout).toMatch(/^ok +Redis from inside an action: PING answered/m);
    expect(r.stdout).not.toMatch(/FAIL|Helm values/);
  });

  it('fails when Redis is unreachable from the actions, without showing its password', async () => {
    const r = await doctor(broken, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; findings: { check: string; verdict: string; detail: string; fix?: string[] }[] };
    expect(out.ok).toBe(false);
    const redis = out.findings.find((f) => f.check === 'Redis from inside an action')!;
    expect(redis.verdict).toBe('fail');
    expect(redis.detail).toMatch(/unreachable from inside an action container: .*ECONNREFUSED/);
    expect(redis.fix!.join(' ')).toMatch(/redisUrl/);
    expect(r.stdout).not.toContain('doctor-secret');
    // Without --tasks, 50 concurrent invocations are enough: only Redis fails.
    expect(out.findings.filter((f) => f.verdict === 'fail').map((f) => f.check)).toEqual(['Redis from inside an action']);
  });

  it('fails when the limits are too small for --tasks, and names the Helm values to raise', async () => {
    const r = await doctor(broken, '--tasks', '1000');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +concurrent invocations: 50, too small: needs at least 1008/m);
    expect(r.stdout).toMatch(/fix: raise whisk\.limits\.actionsInvokesConcurrent to 2000/);
    expect(r.stdout).toMatch(/Helm values to raise[^\n]*\n\n +whisk:\n +limits:\n +actionsInvokesConcurrent: 2000/);
    expect(r.stdout).toMatch(/not ready: a job would not run here/);
  });

  it('says when the API host refuses the key, and skips what needs it', async () => {
    const r = await cli(['doctor', '--apihost', ready.url, '--auth', 'not:thekey']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +reachable and authenticated: .* refused the key \(HTTP 401\)/m);
    expect(r.stdout).toMatch(/^skip +Redis from inside an action/m);
  });

  it('notices a deployed action that is not the code in build/', async () => {
    const res = await fetch(`${ready.url}/api/v1/namespaces/_/actions/split?overwrite=true`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from(ready.auth).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ exec: { kind: 'nodejs:20', code: 'exports.main = () => ({})' } }),
    });
    expect(res.status).toBe(200);
    const r = await doctor(ready);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +pipeline actions deployed and current: differ from build\/ \(sha256 of the code\): split$/m);
    expect(r.stdout).toMatch(/fix: `npm run build`, then `supercompute deploy`/);
  });
});

describe("reading an OpenWhisk's limits and runtimes", () => {
  // GET / of Apache OpenWhisk: system limits (memory in bytes) and the runtimes manifest.
  const info = {
    description: 'OpenWhisk',
    api_paths: ['/api/v1'],
    limits: { actions_per_minute: 60, concurrent_actions: 30, max_action_duration: 300000, max_action_memory: 536870912 },
    runtimes: { nodejs: [{ kind: 'nodejs:18' }, { kind: 'nodejs:20', default: true }], python: [{ kind: 'python:3' }] },
  };

  it('lists the runtime kinds of an info document, and none of one without them', () => {
    expect(runtimeKinds(info)).toEqual(['nodejs:18', 'nodejs:20', 'python:3']);
    expect(runtimeKinds({ api_paths: ['/api/v1'] })).toBeUndefined();
  });

  it("takes the namespace's limits first and the system's for the rest, memory in bytes, MB or text", () => {
    expect(limitsOf(undefined, info)).toEqual({ concurrentInvocations: 30, invocationsPerMinute: 60, maxActionTimeoutMs: 300000, maxActionMemoryMB: 512 });
    expect(limitsOf({ concurrentInvocations: 2000, maxActionMemory: '256 MB' }, info)).toMatchObject({ concurrentInvocations: 2000, invocationsPerMinute: 60, maxActionMemoryMB: 256 });
    expect(limitsOf({ maxActionMemory: 1024 }, undefined)).toEqual({ maxActionMemoryMB: 1024 });
  });
});
