// Under OpenWhisk standalone's default limits (30 concurrent invocations, 60 a minute) the platform answers 429s;
// the pipeline backs off and retries, and every task still runs exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKeys } from '../pipeline/store/keys.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: 15, limits: { concurrentInvocations: 30, invocationsPerMinute: 60 } });
});
afterAll(async () => {
  await env?.stop();
});

describe('pipeline under standalone limits', () => {
  it('finishes a job that needs more concurrent activations than allowed', async () => {
    const tasks = 40;
    const { status, body } = await env.submit({ kernel: 'sleep', params: { ms: 1500 }, tasks });
    expect(status, JSON.stringify(body)).toBe(200);
    // Polls are invocations too: few of them, to leave the job most of the minute's 60.
    const done = await env.waitForJob(body.jobId, { pollMs: 3000 });
    expect(done).toMatchObject({ state: 'done', done: tasks, total: tasks, result: { tasks, totalMs: tasks * 1500 } });
    expect(await env.redis.hLen(jobKeys(body.jobId).starts)).toBe(tasks);
    // The limit did bite: at most 30 tasks ran at once, so the 40 could not all start together.
    const starts = Object.values(await env.redis.hGetAll(jobKeys(body.jobId).starts)).map(Number).sort((a, b) => a - b);
    expect(starts[starts.length - 1] - starts[0]).toBeGreaterThan(1000);
  });
});
