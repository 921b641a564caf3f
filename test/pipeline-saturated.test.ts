// A push-mode job that saturates the invoker's memory with `work` containers and queues far more runs behind them:
// the control actions (status, cancel through the entry action) have no container then, and the pool serves them
// before the job's queue, so a cancel takes effect while the job has made little more progress, not at its end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKeys } from '../pipeline/store/keys.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { waitUntil } from './helpers/wait-until.ts';

const DB = 0;
const TASKS = 600;
const TASK_MS = 1000;
// Room for 5 containers of 256 MB: a few `work` containers of 8 runs each, the rest for the pipeline's other actions.
// The sleep kernel's containers at 256 MB, as this pool was sized for (its push tasks run one per activation, 8 to a
// container; 512 MB, the tasks action's default, is for pull workers with many tasks in flight each).
const SLEEP_CONTAINERS = { memory: 256 };
const MEMORY_MB = 1280;
/** Tasks that may complete between asking to cancel and the cancel taking effect: a few rounds of the pool's capacity. */
const MAX_FURTHER_TASKS = 150;
let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: DB, userMemoryMB: MEMORY_MB, kernelLimits: SLEEP_CONTAINERS, params: { supercompute: { speculation: false } } });
});
afterAll(async () => {
  await env?.stop();
});

describe('a job saturating the container pool', () => {
  it('leaves room for status and cancel: the cancel takes effect after few further tasks, not behind the queue', async () => {
    const { jobId } = await env.jobs.submit({ kernel: 'sleep', params: { ms: TASK_MS }, tasks: TASKS, workers: 0 });
    const meta = jobKeys(jobId).meta;
    const doneNow = () => env.redis.hLen(jobKeys(jobId).partials);
    // Saturated: tasks are done, and far more have been invoked than the pool can run at once (40 runs in 5
    // containers of 8), so the rest wait in its queue.
    const invoked = () => env.redis.hLen(jobKeys(jobId).dispatched);
    await waitUntil('the job to be under way with a queue', async () => ((await doneNow()) > 0 && (await invoked()) > 200 ? true : undefined), doneNow);

    const status = await env.jobs.status(jobId);
    expect(status).toMatchObject({ jobId, state: 'running' });
    const asked = await doneNow();
    expect(await env.jobs.cancel(jobId)).toEqual({ jobId, state: 'cancelled' });
    const doneAtCancel = Number(await env.redis.hGet(meta, 'done'));
    expect(doneAtCancel - asked).toBeLessThanOrEqual(MAX_FURTHER_TASKS);
    expect(doneAtCancel).toBeLessThan(TASKS);
  });
});
