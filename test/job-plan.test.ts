// Sizing a job that did not say how: the one decision (pipeline/sizing/decide.ts) as a table, the kernels' profiles it
// reads, and the spec a request without `tasks` gets.
import { describe, expect, it } from 'vitest';
import { DEFAULT_IO_TASKS, MIN_TASK_MS, RESERVED_INVOCATIONS, TASKS_PER_WORKER, decideSizing, type SizingInputs } from '../pipeline/sizing/decide.ts';
import { DEFAULTS } from '../pipeline/job/settings.ts';
import { jobPlanOf } from './helpers/job-spec.ts';
import { sizeJob } from '../pipeline/sizing/size-job.ts';
import { kernelPlanOf } from '../pipeline/job/kernel-checks.ts';
import { kernels } from '../kernels/index.ts';

const IN_FLIGHT = 64;
const base: SizingInputs = { kernel: 'k', waitsOnIo: false, slots: 4, slotsFrom: '4 cores', maxTasks: 100_000, maxWorkers: 1000, workerTimeoutMs: 300_000, ioTasksPerWorker: IN_FLIGHT };

describe('decideSizing', () => {
  const rows: [string, Partial<SizingInputs>, { tasks: number; workers: number }][] = [
    ['CPU-bound, big: a worker per slot, 8 tasks each', { cpuMs: 60_000 }, { tasks: 4 * TASKS_PER_WORKER, workers: 4 }],
    ['CPU-bound, no estimate: the same', {}, { tasks: 4 * TASKS_PER_WORKER, workers: 4 }],
    ['CPU-bound, tiny: one task on one worker', { cpuMs: 10 }, { tasks: 1, workers: 1 }],
    ['CPU-bound, small: tasks of at least MIN_TASK_MS, a multiple of the workers', { cpuMs: 10 * MIN_TASK_MS }, { tasks: 8, workers: 4 }],
    ['CPU-bound, small, fewer such tasks than slots', { cpuMs: 3 * MIN_TASK_MS }, { tasks: 3, workers: 3 }],
    ['CPU-bound, huge: each task a quarter of the worker time limit at most', { cpuMs: 300_000 * 100 }, { tasks: 400, workers: 4 }],
    ['CPU-bound, huge, time limit unknown: 60 s assumed', { cpuMs: 60_000 * 100, workerTimeoutMs: undefined }, { tasks: 400, workers: 4 }],
    ['bounded by the kernel', { cpuMs: 60_000, kernelMaxTasks: 10 }, { tasks: 10, workers: 4 }],
    ['bounded by the deployment', { cpuMs: 60_000, maxTasks: 5, maxWorkers: 2 }, { tasks: 5, workers: 2 }],
    ['bounded by concurrent invocations', { cpuMs: 60_000, concurrentInvocations: 6 }, { tasks: 2 * TASKS_PER_WORKER, workers: 6 - RESERVED_INVOCATIONS }],
    ['never below one worker', { cpuMs: 60_000, concurrentInvocations: 2 }, { tasks: TASKS_PER_WORKER, workers: 1 }],
    ['tasks asked: workers derived', { cpuMs: 60_000, tasks: 2 }, { tasks: 2, workers: 2 }],
    ['workers asked: tasks derived', { cpuMs: 60_000, workers: 3 }, { tasks: 3 * TASKS_PER_WORKER, workers: 3 }],
    ['both asked: kept', { cpuMs: 60_000, tasks: 7, workers: 5 }, { tasks: 7, workers: 5 }],
    ['push mode asked: tasks still planned', { cpuMs: 60_000, mode: 'push' }, { tasks: 4 * TASKS_PER_WORKER, workers: 0 }],
    ['push mode with tasks', { tasks: 9, mode: 'push' }, { tasks: 9, workers: 0 }],
    ['I/O: one worker for its default tasks', { waitsOnIo: true, cpuMs: 0 }, { tasks: DEFAULT_IO_TASKS, workers: 1 }],
    ['I/O, tasks asked: a worker per ioTasksPerWorker tasks', { waitsOnIo: true, tasks: 1000 }, { tasks: 1000, workers: Math.ceil(1000 / IN_FLIGHT) }],
    ['I/O, tasks asked, bounded by concurrent invocations', { waitsOnIo: true, tasks: 1000, concurrentInvocations: 10 }, { tasks: 1000, workers: 10 - RESERVED_INVOCATIONS }],
    ['I/O, workers asked', { waitsOnIo: true, workers: 3 }, { tasks: DEFAULT_IO_TASKS, workers: 3 }],
    ['I/O, bounded by the kernel', { waitsOnIo: true, kernelMaxTasks: 5 }, { tasks: 5, workers: 1 }],
  ];
  for (const [what, inputs, expected] of rows) {
    it(what, () => {
      const plan = decideSizing({ ...base, ...inputs });
      expect({ tasks: plan.tasks, workers: plan.workers }).toEqual(expected);
      expect(plan.why.length).toBeGreaterThan(0);
    });
  }

  it('says why in words', () => {
    expect(decideSizing({ ...base, kernel: 'primes', cpuMs: 3500, slots: 2, slotsFrom: '2 cores on this machine' }).why).toEqual([
      'primes: ~3.5 s of CPU, one task at a time per worker',
      '2 workers: one per slot (2 cores on this machine)',
      '16 tasks: 8 per worker, so unequal tasks balance',
    ]);
  });
});

describe('kernel profiles', () => {
  const plan = (kernel: string, params: Record<string, unknown>) => {
    const { profile } = kernelPlanOf(kernels[kernel]!, { params });
    return sizeJob(profile, {}, { slots: 2, slotsFrom: '2 cores', workerTimeoutMs: 300_000 }, DEFAULTS);
  };
  it('sizes CPU-bound kernels by their estimate and I/O kernels by their waits', () => {
    expect(plan('primes', { below: 1e10 })).toMatchObject({ tasks: 16, workers: 2 });
    expect(plan('primes', { below: 1e6 })).toMatchObject({ tasks: 1, workers: 1 });
    expect(plan('pi', { samples: 1e9 })).toMatchObject({ tasks: 16, workers: 2 });
    expect(plan('mandelbrot', { width: 4096, height: 2, maxIter: 100_000 })).toMatchObject({ tasks: 2, workers: 2 });
    expect(plan('wordcount', { url: 'https://example.org/a.txt' })).toMatchObject({ tasks: 16, workers: 2 });
    expect(plan('sleep', { ms: 1000 })).toMatchObject({ tasks: DEFAULT_IO_TASKS, workers: 1 });
  });
  it('keeps within what the kernel can split', () => {
    expect(plan('mandelbrot', { width: 8192, height: 3, maxIter: 100_000 }).tasks).toBe(3);
  });
});

describe('a request without tasks', () => {
  it('gets a planned spec in pull mode, with the plan, from the workerSlots setting', () => {
    const { spec, sizing } = jobPlanOf({ kernel: 'primes', params: { below: 1e10 } }, { ...DEFAULTS, workerSlots: 3 });
    expect(spec).toMatchObject({ total: 24, workers: 3 });
    expect(sizing?.why.join('; ')).toMatch(/workerSlots setting/);
  });
  it('takes workers alone, including 0 for push mode', () => {
    expect(jobPlanOf({ kernel: 'primes', params: { below: 1e10 }, workers: 0 }, { ...DEFAULTS, workerSlots: 3 }).spec).toMatchObject({ total: 24, workers: 0 });
    expect(jobPlanOf({ kernel: 'primes', params: { below: 1e10 }, workers: 1 }).spec).toMatchObject({ total: 8, workers: 1 });
  });
  it('with tasks but no workers runs one activation per task, as this API always has', () => {
    const { spec, sizing } = jobPlanOf({ kernel: 'primes', params: { below: 1e10 }, tasks: 5 });
    expect(spec).toMatchObject({ total: 5, workers: 0 });
    expect(sizing).toBeUndefined();
  });
});
