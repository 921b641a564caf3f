// A push-mode job of many leaves, on a container pool far smaller than its leaves' windows together: `maxTasksInFlight`
// cuts each leaf's window so the job keeps only a few tasks outstanding, the pool keeps room for every other action, and
// a small job submitted later (its entry action, split, coordinator, tasks and reduce) runs through while the big one
// still has most of its tasks to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKeys } from '../pipeline/store/keys.ts';
import type { StoredTaskRecord } from '../pipeline/store/task-records.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { waitUntil } from './helpers/wait-until.ts';

// Shared with pipeline-fairness.test.ts and pipeline-saturated.test.ts: none scans or flushes the database; keys are per job.
const DB = 0;
const BIG_TASKS = 200;
const SMALL_TASKS = 2;
const TASK_MS = 2000;
// 10 leaves of 20 with windows of 16 would keep 160 tasks outstanding; the cap of 10 leaves each leaf 1.
const SETTINGS = { leafSize: 20, taskWindow: 16, maxTasksInFlight: 10, speculation: false };
// Room for 12 containers of 256 MB: the pipeline's own actions for two jobs at once (entry, the kernel's control action
// of 512 MB, split, coordinate, supervisor, status, reduce) and two of `work`; without the cap the big job's 160
// outstanding tasks would take it all (20 containers of 8).
// The sleep kernel's containers at 256 MB, as this pool was sized for (its push tasks run one per activation, 8 to a
// container; 512 MB, the tasks action's default, is for pull workers with many tasks in flight each).
const SLEEP_CONTAINERS = { memory: 256 };
const MEMORY_MB = 3072;
const BIG_TASKS_LEFT = BIG_TASKS / 2;
let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: DB, userMemoryMB: MEMORY_MB, kernelLimits: SLEEP_CONTAINERS, params: { supercompute: SETTINGS } });
});
afterAll(async () => {
  await env?.stop();
});

describe('a push-mode job with more leaves than tasks it may keep in flight', () => {
  it('keeps its outstanding tasks to the cap, and a job submitted later ends while it has most of its tasks to do', async () => {
    const big = await env.jobs.submit({ kernel: 'sleep', params: { ms: TASK_MS }, tasks: BIG_TASKS, workers: 0 });
    expect(await env.redis.hGet(jobKeys(big.jobId).meta, 'taskWindow')).toBe('1');
    const bigDone = () => env.redis.hLen(jobKeys(big.jobId).partials);
    await waitUntil('the big job to be under way', async () => ((await bigDone()) >= 4 ? true : undefined), bigDone);

    const small = await env.jobs.submit({ kernel: 'sleep', params: { ms: TASK_MS }, tasks: SMALL_TASKS, workers: 0 });
    const smallStatus = await env.waitForJob(small.jobId);
    expect(smallStatus).toMatchObject({ state: 'done', done: SMALL_TASKS, result: { tasks: SMALL_TASKS } });

    const bigStatus = await env.waitForJob(big.jobId);
    expect(bigStatus).toMatchObject({ state: 'done', done: BIG_TASKS, result: { tasks: BIG_TASKS, totalMs: BIG_TASKS * TASK_MS } });
    const records = Object.values(await env.redis.hGetAll(jobKeys(big.jobId).tasks)).map((json) => JSON.parse(json) as StoredTaskRecord);
    expect(records).toHaveLength(BIG_TASKS);
    // Never more than the cap's leaves × 1 running at once (read from the records' own clock).
    const events = records.flatMap((r) => [[r.start, 1] as const, [r.end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    let most = 0;
    for (const [, step] of events) most = Math.max(most, (running += step));
    expect(most).toBeLessThanOrEqual(10);
    expect(records.filter((r) => r.end > smallStatus.timings.lastWorkerEnd).length).toBeGreaterThanOrEqual(BIG_TASKS_LEFT);
  });
});
