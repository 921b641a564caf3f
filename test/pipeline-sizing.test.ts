// Jobs that size themselves, on the platform: a request without `tasks` runs in pull mode through the `worker` action
// with the planned tasks and workers and is exact; asked-for counts override; a worker of a kernel that waits on I/O
// runs several of its tasks at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pi } from '../kernels/pi.ts';
import { DEFAULTS } from '../pipeline/job/settings.ts';
import { jobPlanOf } from './helpers/job-spec.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import type { StoredTaskRecord } from '../pipeline/store/task-records.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 2;
// Fixed, so the plan does not depend on the machine running the tests.
const WORKER_SLOTS = 3;

let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: DB, params: { supercompute: { workerSlots: WORKER_SLOTS } } });
});
afterAll(async () => {
  await env?.stop();
});

type Result = Record<string, any>;

/** Results of the job's ended activations of its kernel's tasks action: pull-mode `worker`s or push-mode `work`. */
async function resultsOf(op: 'work' | 'worker', jobId: string): Promise<Result[]> {
  const action = (await env.redis.hGet(jobKeys(jobId).meta, 'kernelAction'))!;
  const records = (await env.ow.activations.list({ name: action, docs: true, limit: 200 })) as Array<{ response?: { result?: Result } }>;
  return records.map((r) => r.response?.result ?? {}).filter((r) => r.jobId === jobId && (op === 'worker' ? 'worker' in r : 'index' in r));
}

/** The results of the job's workers once every one of `workers` slots has ended. */
async function endedWorkers(jobId: string, workers: number): Promise<Result[]> {
  for (;;) {
    const r = await resultsOf('worker', jobId);
    if (new Set(r.map((w) => w.worker)).size >= workers && r.every((w) => w.ended || w.skipped)) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function taskRecords(jobId: string): Promise<StoredTaskRecord[]> {
  return Object.values(await env.redis.hGetAll(jobKeys(jobId).tasks)).map((json) => JSON.parse(json) as StoredTaskRecord);
}

/** The most records whose [start, end) intervals overlap at one moment. */
function mostAtOnce(records: StoredTaskRecord[]): number {
  const events = records.flatMap((r) => [[r.start, 1] as const, [r.end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (now += d));
  return most;
}

describe('a job without sizing', () => {
  it('runs in pull mode through workers with the planned tasks and workers, and is exact', async () => {
    const params = { samples: 3e7, seed: 7 };
    const expected = jobPlanOf({ kernel: 'pi', params }, { ...DEFAULTS, workerSlots: WORKER_SLOTS });
    expect(expected.spec.workers).toBe(WORKER_SLOTS);

    const { status, body } = await env.submit({ kernel: 'pi', params });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ state: 'running', total: expected.spec.total, workers: WORKER_SLOTS, plan: expected.sizing!.why });
    const st = await env.waitForJob(body.jobId);
    expect(st).toMatchObject({ state: 'done', done: expected.spec.total, result: pi.reference(pi.parse(params)) });

    const workers = await endedWorkers(body.jobId, WORKER_SLOTS);
    expect(new Set(workers.map((w) => w.worker))).toEqual(new Set([0, 1, 2]));
    expect(workers.reduce((n, w) => n + w.counted, 0)).toBe(expected.spec.total);
    expect(await resultsOf('work', body.jobId)).toEqual([]);
  });

  it('takes asked-for counts: workers alone derive the tasks, tasks alone run one activation per task', async () => {
    const params = { samples: 3e7, seed: 7 };
    const withWorkers = await env.submit({ kernel: 'pi', params, workers: 1 });
    expect(withWorkers.body).toMatchObject({ workers: 1, total: jobPlanOf({ kernel: 'pi', params, workers: 1 }).spec.total });
    const withTasks = await env.submit({ kernel: 'pi', params, tasks: 4 });
    expect(withTasks.body).toMatchObject({ workers: 0, total: 4 });
    expect(withTasks.body.plan).toBeUndefined();
    const both = await env.submit({ kernel: 'pi', params, tasks: 5, workers: 2 });
    expect(both.body).toMatchObject({ workers: 2, total: 5 });
    const reference = pi.reference(pi.parse(params));
    for (const { body } of [withWorkers, withTasks, both]) expect(await env.waitForJob(body.jobId)).toMatchObject({ state: 'done', result: reference });
    // One activation per task.
    expect(new Set((await taskRecords(withTasks.body.jobId)).map((r) => r.activationId)).size).toBe(4);
    expect(await resultsOf('worker', withTasks.body.jobId)).toEqual([]);
  });
});

describe('a worker of a kernel that waits on I/O', () => {
  it('runs several of its tasks at once in one activation', async () => {
    const tasks = 12;
    const { body } = await env.submit({ kernel: 'sleep', params: { ms: 500 }, tasks, workers: 1 });
    const st = await env.waitForJob(body.jobId);
    expect(st).toMatchObject({ state: 'done', done: tasks, result: { tasks, totalMs: tasks * 500 } });
    const records = await taskRecords(body.jobId);
    expect(records).toHaveLength(tasks);
    expect(new Set(records.map((r) => r.activationId)).size).toBe(1);
    expect(mostAtOnce(records)).toBeGreaterThan(1);
  });
});
