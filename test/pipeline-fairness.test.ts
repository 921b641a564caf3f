// Two push-mode jobs on a container pool that runs far fewer tasks at once than the first job has: each leaf
// coordinator keeps at most `taskWindow` of its tasks outstanding, so the first job holds a bounded part of the `work`
// queue (first in, first out, as on OpenWhisk) and a job submitted later runs its tasks after that part, not after
// the whole first job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKeys } from '../pipeline/store/keys.ts';
import type { StoredTaskRecord } from '../pipeline/store/task-records.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { waitUntil } from './helpers/wait-until.ts';

// Shared with pipeline-saturated.test.ts: neither file scans or flushes the database, and keys are per job.
const DB = 0;
const BIG_TASKS = 300;
const SMALL_TASKS = 4;
// The big job's tasks take 2 s, 30 s of queue in all: on a busy machine the small job's own entry, split and
// coordinator wait for room in this small pool behind the big job's containers (8 s measured under load, more in CI),
// and the big job must still be far from done when its tasks are queued. The small job's tasks take 1 s.
const BIG_TASK_MS = 2000;
const SMALL_TASK_MS = 1000;
// 10 leaves of 30 tasks, 2 outstanding each: the big job queues at most 20 runs.
const SETTINGS = { leafSize: 30, taskWindow: 2, speculation: false };
// Room for 5 containers of 256 MB: a `work` container or two of 8 runs each, the rest for the other actions. The
// small job's 4 tasks, 2 at a time, wait twice behind at most 20 of the big job's.
// The sleep kernel's containers at 256 MB, as this pool was sized for (its push tasks run one per activation, 8 to a
// container; 512 MB, the tasks action's default, is for pull workers with many tasks in flight each).
const SLEEP_CONTAINERS = { memory: 256 };
const MEMORY_MB = 1280;
/** The big job's tasks that must still end after the small job's last one: far more than one window's worth. */
const BIG_TASKS_LEFT = BIG_TASKS / 4;
let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: DB, userMemoryMB: MEMORY_MB, kernelLimits: SLEEP_CONTAINERS, params: { supercompute: SETTINGS } });
});
afterAll(async () => {
  await env?.stop();
});

describe('two push-mode jobs on a saturated pool', () => {
  it('runs a job submitted later while the earlier one still has most of its tasks to do; both exact', async () => {
    const big = await env.jobs.submit({ kernel: 'sleep', params: { ms: BIG_TASK_MS }, tasks: BIG_TASKS, workers: 0 });
    const bigDone = () => env.redis.hLen(jobKeys(big.jobId).partials);
    // Under way: its coordinators have dispatched and the pool has run a round of its tasks.
    await waitUntil('the big job to be under way', async () => ((await bigDone()) >= 8 ? true : undefined), bigDone);

    const small = await env.jobs.submit({ kernel: 'sleep', params: { ms: SMALL_TASK_MS }, tasks: SMALL_TASKS, workers: 0 });
    const smallStatus = await env.waitForJob(small.jobId);
    expect(smallStatus).toMatchObject({ state: 'done', done: SMALL_TASKS, result: { tasks: SMALL_TASKS, totalMs: SMALL_TASKS * SMALL_TASK_MS } });

    const bigStatus = await env.waitForJob(big.jobId);
    expect(bigStatus).toMatchObject({ state: 'done', done: BIG_TASKS, result: { tasks: BIG_TASKS, totalMs: BIG_TASKS * BIG_TASK_MS } });
    // Counted from the task records (one clock, this machine's), not from when this test looked.
    const records = Object.values(await env.redis.hGetAll(jobKeys(big.jobId).tasks)).map((json) => JSON.parse(json) as StoredTaskRecord);
    expect(records).toHaveLength(BIG_TASKS);
    const endedAfterSmall = records.filter((r) => r.end > smallStatus.timings.lastWorkerEnd).length;
    expect(endedAfterSmall).toBeGreaterThanOrEqual(BIG_TASKS_LEFT);
  });
});
