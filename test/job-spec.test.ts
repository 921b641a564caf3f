// The one job spec: every door's request goes through the same parser, with one set of defaults, which the manifest
// binds identically to both doors that create jobs.
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../host/manifest/read.ts';
import { DEFAULTS, readSettings } from '../pipeline/job/settings.ts';
import { defaultRetryBudget } from '../pipeline/job/spec.ts';
import { jobSpecOf, pinnedKernel } from './helpers/job-spec.ts';

describe('job spec', () => {
  it('applies every default, with the retry budget resolved for the job', () => {
    const spec = jobSpecOf({ kernel: 'primes', params: '{"below": 1e6}', tasks: '8' });
    const { ttlSeconds, maxTasks, maxParamsBytes, maxWorkers, maxTasksInFlight, workerSlots, retryBudget, ...tuning } = DEFAULTS;
    expect(spec).toEqual({ kernel: 'primes', ...pinnedKernel('primes'), params: '{"below":1000000}', total: 8, mode: 'push', workers: 0, ...tuning, retryBudget: defaultRetryBudget(8) });
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 1000 }).retryBudget).toBe(500);
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 3 }, { ...DEFAULTS, retryBudget: 7 }).retryBudget).toBe(7);
  });

  it('takes a worker count for pull mode, at most the tasks of the job', () => {
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 10, workers: '3' })).toMatchObject({ total: 10, workers: 3, leaseMs: DEFAULTS.leaseMs });
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 2, workers: 5 }).workers).toBe(2);
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 4, workers: 0 }).workers).toBe(0);
    expect(readSettings({ leaseMs: '1500', maxWorkers: '8' })).toMatchObject({ leaseMs: 1500, maxWorkers: 8 });
  });

  it("cuts a push job's leaf windows so the job keeps at most maxTasksInFlight tasks outstanding", () => {
    // 1,000 tasks are 16 leaves of 64: 16 × 16 fit in 256. 5,000 are 96 leaves: 2 each. A pull job's leaves start workers.
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 1000 }).taskWindow).toBe(16);
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 5000 }).taskWindow).toBe(2);
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 5000, workers: 4 }).taskWindow).toBe(16);
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 5000 }, { ...DEFAULTS, maxTasksInFlight: 0 }).taskWindow).toBe(16);
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 100_000 }).taskWindow).toBe(1);
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 640 }, { ...DEFAULTS, taskWindow: 0, maxTasksInFlight: 40 }).taskWindow).toBe(4);
    expect(readSettings({ maxTasksInFlight: '0' }).maxTasksInFlight).toBe(0);
  });

  it("takes the deployment's settings from action parameters as forms and the CLI send them", () => {
    const settings = readSettings({ retries: '5', speculation: 'off', supervisorMs: 500, fanout: 1, redisUrl: ' redis://h:1/2 ' });
    expect(settings).toMatchObject({ retries: 5, speculation: false, supervisorMs: 500, fanout: 2, redisUrl: 'redis://h:1/2' });
    expect(jobSpecOf({ kernel: 'sleep', params: { ms: 0 }, tasks: 2 }, settings)).toMatchObject({ retries: 5, speculation: false, supervisorMs: 500 });
  });

  it('refuses a bad request with the status code and the reason', () => {
    const refused = (p: Record<string, unknown>) => {
      try {
        jobSpecOf(p);
      } catch (err) {
        return { statusCode: (err as { statusCode?: number }).statusCode, message: (err as Error).message };
      }
      return undefined;
    };
    expect(refused({ params: {}, tasks: 1 })).toEqual({ statusCode: 400, message: "missing parameter 'kernel'" });
    expect(refused({ kernel: 'sleep', params: {}, tasks: 0 })).toEqual({ statusCode: 400, message: "'tasks' must be between 1 and 100000, got 0" });
    expect(refused({ kernel: 'sleep', params: {}, tasks: 4, workers: -1 })).toEqual({ statusCode: 400, message: "'workers' must be between 0 and 1000, got -1" });
    expect(refused({ kernel: 'sleep', params: {}, tasks: 4, workers: '2.5' })).toEqual({ statusCode: 400, message: `'workers' must be an integer, got "2.5"` });
    expect(refused({ kernel: 'sleep', params: {}, tasks: 4, workers: 1001 })?.statusCode).toBe(400);
    // Only integers, or decimal digits from forms and the CLI: nothing else `Number()` would turn into a count.
    expect(refused({ kernel: 'sleep', params: {}, tasks: true })).toEqual({ statusCode: 400, message: "'tasks' must be an integer, got true" });
    expect(refused({ kernel: 'sleep', params: {}, tasks: [5] })).toEqual({ statusCode: 400, message: "'tasks' must be an integer, got an array" });
    expect(refused({ kernel: 'sleep', params: {}, tasks: '0x10' })).toEqual({ statusCode: 400, message: `'tasks' must be an integer, got "0x10"` });
    for (const tasks of [' 7', '7 ', '1e1', '0b11', '+3', '2.0', 'Infinity']) expect(refused({ kernel: 'sleep', params: {}, tasks })?.statusCode).toBe(400);
    expect(refused({ kernel: 'sleep', params: {}, tasks: 4, workers: false })).toEqual({ statusCode: 400, message: "'workers' must be an integer, got false" });
    expect(refused({ kernel: 'sleep', params: {}, tasks: 4, workers: { n: 1 } })).toEqual({ statusCode: 400, message: "'workers' must be an integer, got an object" });
    // Too deep to measure: refused as a bad request, not a crash.
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refused({ kernel: 'sleep', params: { ms: deep }, tasks: 1 })?.statusCode).toBe(400);
    expect(refused({ kernel: 'sleep', params: { ms: -1 }, tasks: 1 })?.message).toMatch(/^invalid params for kernel 'sleep'/);
    expect(refused({ kernel: 'mandelbrot', params: { width: 8, height: 4 }, tasks: 5 })?.message).toMatch(/^cannot split kernel 'mandelbrot' into 5 tasks/);
    expect(refused({ kernel: 'sleep', params: 'x'.repeat(DEFAULTS.maxParamsBytes + 1), tasks: 1 })?.statusCode).toBe(413);
  });

  it("is created by both doors from the same settings, the code's defaults", () => {
    const plan = loadManifest('manifest.yaml', { checkFiles: false, env: {} });
    const inputs = (name: string) => plan.actions.find((a) => a.name === name)!.parameters;
    expect(inputs('job-create')).toEqual(inputs('supercompute'));
    const { redisUrl, ...settings } = readSettings(inputs('supercompute'));
    expect(settings).toEqual(DEFAULTS);
  });
});
