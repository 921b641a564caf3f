// The host's job client (host/jobs/) against the pipeline on the embedded platform: submit through the entry action,
// follow a job by its progress (long-polls that answer its end when it comes), give up on a stalled job or at an
// explicit deadline, cancel, and keep waiting through status polls that fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionError, JobStatusUnreadableError, WaitGaveUpError } from '../host/jobs/client.ts';
import { newJobId } from '../pipeline/job/ids.ts';
import type { JobStatus } from '../pipeline/job/status.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';

const DB = 7;

/** What a call that must fail threw. */
async function thrown(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('the job client', () => {
  let env: PipelineEnv;
  beforeAll(async () => {
    // Blocking invokes answer 202 after 1 s: a longer call is followed through its activation record.
    env = await startPipeline({ db: DB, limits: { maxWaitForBlockingActivation: 1000 } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('submits a job and follows it to the end, handing over every status it reads', async () => {
    const submitted = await env.jobs.submit({ kernel: 'primes', params: { below: 1e6 }, tasks: 8 });
    expect(submitted).toMatchObject({ state: 'running', total: 8 });
    expect(submitted.ended).toBeUndefined();
    const seen: JobStatus[] = [];
    const done = await env.jobs.wait(submitted.jobId, { pollMs: 50, onProgress: (s) => void seen.push(s) });
    expect(done).toMatchObject({ jobId: submitted.jobId, state: 'done', done: 8, total: 8, kernel: 'primes', result: { count: 78_498 } });
    expect(seen.at(-1)).toEqual(done);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    expect(await env.jobs.status(submitted.jobId)).toEqual(done);
  });

  it('ends its wait when the job ends: each poll is held until the end, not answered at the next tick', async () => {
    const { jobId } = await env.jobs.submit({ kernel: 'sleep', params: { ms: 100 }, tasks: 1 });
    const seen: JobStatus[] = [];
    const done = await env.jobs.wait(jobId, { pollMs: 20_000, onProgress: (s) => void seen.push(s) });
    expect(done).toMatchObject({ jobId, state: 'done', done: 1, total: 1, result: { tasks: 1, totalMs: 100 } });
    // Plain polling would have read `running` first and the end a poll later.
    expect(seen.map((s) => s.state)).toEqual(['done']);
  });

  it('follows an entry action that holds its answer past the blocking wait to the end of the job', async () => {
    const submitted = await env.jobs.submit({ kernel: 'sleep', params: { ms: 1500 }, tasks: 2, waitMs: 20_000 });
    expect(submitted).toMatchObject({ state: 'done', total: 2 });
    expect(submitted.ended).toMatchObject({ jobId: submitted.jobId, state: 'done', done: 2, total: 2, result: { tasks: 2, totalMs: 3000 } });
  });

  it('gives up on a job that makes no progress, or at an explicit deadline, with the last status; then cancels it', async () => {
    const { jobId } = await env.jobs.submit({ kernel: 'sleep', params: { ms: 60_000 }, tasks: 1 });
    const stalled = await thrown(env.jobs.wait(jobId, { pollMs: 50, stallMs: 1000 }));
    expect(stalled).toBeInstanceOf(WaitGaveUpError);
    expect(stalled).toMatchObject({ reason: 'stalled', last: { jobId, state: 'running', done: 0, total: 1 } });
    expect(stalled.message).toMatch(new RegExp(`^job ${jobId} made no progress for 1000 ms`));

    const late = await thrown(env.jobs.wait(jobId, { pollMs: 50, stallMs: 0, timeoutMs: 500 }));
    expect(late).toBeInstanceOf(WaitGaveUpError);
    expect(late).toMatchObject({ reason: 'timeout', last: { jobId, state: 'running' } });

    expect(await env.jobs.cancel(jobId)).toEqual({ jobId, state: 'cancelled' });
    expect(await env.jobs.wait(jobId)).toMatchObject({ jobId, state: 'cancelled', total: 1 });
    const again = await thrown(env.jobs.cancel(jobId));
    expect(again).toBeInstanceOf(ActionError);
    expect(again).toMatchObject({ statusCode: 409, transient: false });
  });

  it('fails at once, not as a stall, for an unknown job and a refused one', async () => {
    const unknown = await thrown(env.jobs.wait(newJobId(), { stallMs: 5000 }));
    expect(unknown).toBeInstanceOf(ActionError);
    expect(unknown).toMatchObject({ statusCode: 404, transient: false });
    expect(unknown.message).toMatch(/^unknown job /);

    const refused = await thrown(env.jobs.submit({ kernel: 'nosuchkernel', params: {}, tasks: 2 }));
    expect(refused).toBeInstanceOf(ActionError);
    expect(refused).toMatchObject({ statusCode: 400, transient: false });
    expect(refused.message).toMatch(/^unknown kernel 'nosuchkernel'/);
  });
});

describe('the job client while status polls fail', () => {
  let env: PipelineEnv;
  beforeAll(async () => {
    // Some `status` activations die with their container: those polls fail, the job goes on.
    env = await startPipeline({ db: DB, faults: { seed: 'status-polls', actions: 'status', killContainer: 0.3 } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('keeps waiting through failed polls and answers the end of the job', async () => {
    const { jobId } = await env.jobs.submit({ kernel: 'sleep', params: { ms: 200 }, tasks: 20 });
    const done = await env.jobs.wait(jobId, { pollMs: 50 });
    expect(done).toMatchObject({ jobId, state: 'done', done: 20, total: 20 });
    expect(env.platform.faults.stats().injected.killContainer).toBeGreaterThan(0);
  });
});

describe('the job client while status activations are lost', () => {
  let env: PipelineEnv;
  beforeAll(async () => {
    // Some `status` activations are accepted and never run: no answer, no record. Blocking invokes answer 202 after 1 s.
    env = await startPipeline({
      db: DB,
      limits: { maxWaitForBlockingActivation: 1000 },
      faults: { seed: 'lost-status', actions: 'status', dropActivation: 0.3 },
    });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('retries a lost poll and follows the job to its end', async () => {
    const { jobId } = await env.jobs.submit({ kernel: 'sleep', params: { ms: 200 }, tasks: 20 });
    const done = await env.jobs.wait(jobId, { pollMs: 50, lostAfterMs: 1500 });
    expect(done).toMatchObject({ jobId, state: 'done', done: 20, total: 20 });
    expect(env.platform.faults.stats().injected.dropActivation).toBeGreaterThan(0);
  });
});

describe('the job client when every status activation is lost', () => {
  let env: PipelineEnv;
  beforeAll(async () => {
    env = await startPipeline({ db: DB, faults: { seed: 'all-lost', actions: 'status', dropActivation: 1 } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('bounds every wait: one look by its deadline, a wait by its timeout or by how long polls have failed', async () => {
    const { jobId } = await env.jobs.submit({ kernel: 'sleep', params: { ms: 0 }, tasks: 2 });
    const look = await thrown(env.jobs.status(jobId, 0, Date.now() + 1000));
    expect(look).toBeInstanceOf(ActionError);
    expect(look).toMatchObject({ transient: true });
    expect(look.message).toMatch(/^status: no answer within \d+ ms/);

    const late = await thrown(env.jobs.wait(jobId, { pollMs: 50, stallMs: 0, timeoutMs: 2000 }));
    expect(late).toBeInstanceOf(JobStatusUnreadableError);
    expect(late.message).toMatch(new RegExp(`^could not read the status of job ${jobId} \\(\\d+ polls failed in a row, then the wait timed out\\)`));

    const failing = await thrown(env.jobs.wait(jobId, { pollMs: 50, stallMs: 0, lostAfterMs: 300, pollsFailingMs: 1500 }));
    expect(failing).toBeInstanceOf(JobStatusUnreadableError);
    expect(failing).toMatchObject({ jobId, last: undefined });
    expect(failing.failedPolls).toBeGreaterThan(1);
  });
});
