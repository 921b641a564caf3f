// A push-mode task that runs past the kernel's tasks action's time limit: the platform stops it and records why. That is a
// failed attempt of the task (counted against its own `retries`, with the platform's reason), not a lost run paid
// from the job's retry budget, so the job fails after the task's retries and says it timed out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKeys } from '../pipeline/store/keys.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 3;
// Long enough for a cold start on a busy machine (an init past it is a time-out too, and said so).
const WORK_TIMEOUT_MS = 4000;
const RETRIES = 1;
const TASKS = 4;
// The supervisor looks every 200 ms and at a dispatched task's record after 0.3 s.
const FAST = { supervisorMs: 200, probeAfterMs: 300, startTimeoutMs: 5000, retries: RETRIES, speculation: false };
let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: DB, params: { supercompute: FAST }, kernelLimits: { timeout: WORK_TIMEOUT_MS } });
});
afterAll(async () => {
  await env?.stop();
});

describe('task timeouts (push mode)', () => {
  it("fails the job once a task has timed out more often than its retries allow, with the platform's reason", async () => {
    const { status, body } = await env.submit({ kernel: 'sleep', params: { ms: 3 * WORK_TIMEOUT_MS }, tasks: TASKS });
    expect(status, JSON.stringify(body)).toBe(200);
    const failed = await env.waitForJob(body.jobId);
    expect(failed).toMatchObject({ state: 'failed', done: 0, total: TASKS });
    expect(failed.error).toMatch(new RegExp(`^task [0-${TASKS - 1}] timed out: The action exceeded its time limits of ${WORK_TIMEOUT_MS} milliseconds( during initialization)?\\.$`));

    // The task that failed the job ran 1 + retries times; no task ran more often, and the budget was never the limit.
    const attempts = Object.values(await env.redis.hGetAll(jobKeys(body.jobId).attempts)).map(Number);
    expect(Math.max(...attempts)).toBe(RETRIES + 1);
    expect(failed.retries.invocations).toBeLessThanOrEqual(TASKS * RETRIES);
    expect(failed.retries.invocations).toBeLessThan(failed.retries.budget);
    const retried = Object.values(await env.redis.hGetAll(jobKeys(body.jobId).retried)).map(Number);
    for (const n of retried) expect(n).toBeLessThanOrEqual(RETRIES);
  });
});
