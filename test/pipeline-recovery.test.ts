// Tasks run twice count once; a killed last worker is noticed by the job's supervisor; cancelled jobs stop and clean up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore } from '../pipeline/store/job-store.ts';
import { specOf } from './helpers/job-spec.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { newJobId } from '../pipeline/job/ids.ts';
import { cli } from './cli-helpers.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { waitUntil } from './helpers/wait-until.ts';

const DB = 5;
const FAST = { supervisorMs: 200, probeAfterMs: 500, startTimeoutMs: 2000 };
let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: DB, params: { supercompute: FAST } });
});
afterAll(async () => {
  await env?.stop();
});

async function status(jobId: string): Promise<Record<string, any> | undefined> {
  const res = await fetch(`${env.web}/status.http?jobId=${jobId}`).catch(() => undefined);
  return res?.status === 200 ? ((await res.json()) as Record<string, any>) : undefined;
}

const spec = (total: number, ms: number) => specOf('sleep', { ms }, total, { fanout: 4, leafSize: 8, concurrency: 8, retries: 0, ...FAST });

describe('recovery', () => {
  it('counts every task once when every task is invoked twice', async () => {
    const store = new JobStore(env.redis);
    const jobId = newJobId();
    await store.create(jobId, spec(60, 0));
    const work = (index: number) => env.ow.actions.invoke({ name: env.kernelAction.sleep!, params: { op: 'work', jobId, index }, blocking: true, result: true });
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) => work(i % 60)));
    expect(results.filter((r) => r.counted === true)).toHaveLength(60);
    expect(new Set(results.filter((r) => r.counted).map((r) => r.index)).size).toBe(60);
    const done = await waitUntil('the job to finish', async () => {
      const st = await status(jobId);
      return st?.state === 'running' ? undefined : st;
    });
    expect(done).toMatchObject({ state: 'done', done: 60, total: 60, result: { tasks: 60, totalMs: 0 } });
    expect(await env.redis.hLen(jobKeys(jobId).partials)).toBe(60);
  });

  it("completes the job when the worker of its last task is killed, with nobody polling", async () => {
    const store = new JobStore(env.redis);
    const jobId = newJobId();
    await store.create(jobId, spec(3, 3000));
    for (const i of [0, 1]) await store.completeTask(jobId, i, '{"slept":3000}');
    // The last task, dispatched as a coordinator would, and the job's supervisor.
    const id = (await env.ow.actions.invoke({ name: env.kernelAction.sleep!, params: { op: 'work', jobId, index: 2 } })).activationId as string;
    await store.markDispatched(jobId, [[2, id]], true);
    await env.ow.actions.invoke({ name: 'supervisor', params: { jobId } });
    await waitUntil('the last task to start', async () => ((await env.redis.hExists(jobKeys(jobId).starts, '2')) ? true : undefined));

    // Kill the task containers: their Redis connections are named after the action and the process.
    const clients = String(await env.redis.sendCommand(['CLIENT', 'LIST', 'TYPE', 'normal']));
    const pids = [...clients.matchAll(new RegExp(`name=supercompute-db${DB}-sleep[0-9a-f]{10}-(\\d+)`, 'g'))].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of new Set(pids)) process.kill(pid, 'SIGKILL');

    const record = await waitUntil('the killed activation record', () => env.ow.activations.get({ name: id }).catch(() => undefined));
    expect(record.response.success).toBe(false);
    // Nobody polls `status` (which would also look after the job): only Redis is watched.
    const meta = jobKeys(jobId).meta;
    const state = await waitUntil('the job to end', async () => {
      const s = await env.redis.hGet(meta, 'state');
      return s === 'running' ? undefined : s;
    });
    expect(state).toBe('done');
    const st = await status(jobId);
    expect(st).toMatchObject({ state: 'done', done: 3, result: { tasks: 3, totalMs: 9000 } });
    expect(st!.retries.tasks).toBeGreaterThanOrEqual(1);
  });

  it("counts the tasks of a lost coordinator's range as re-run when the supervisor hands them to a fresh one", async () => {
    // A job whose split never dispatched anything, created long enough ago for its supervisor to take the tree for lost.
    const store = new JobStore(env.redis);
    const jobId = newJobId();
    await store.create(jobId, spec(40, 0), Date.now() - 2 * FAST.startTimeoutMs);
    await env.ow.actions.invoke({ name: 'supervisor', params: { jobId } });
    const done = await env.waitForJob(jobId);
    expect(done, JSON.stringify(done)).toMatchObject({ state: 'done', done: 40, result: { tasks: 40 } });
    // The range (the whole job) was sent again, free of the budget, and every task in it counts as invoked again.
    expect(done.retries.tasks).toBe(40);
    expect(done.retries.resentRanges).toBeGreaterThanOrEqual(1);
    expect(done.retries.invocations).toBe(0);
    // Counted as re-run, but none was invoked again on its own: nothing to back off from when one is slow to start.
    expect(Object.values(await env.redis.hGetAll(jobKeys(jobId).retried))).toEqual(Array(40).fill('0'));
    // The fresh coordinator's dispatches cleared the count of hand-overs that makes the supervisor wait longer.
    expect(await env.redis.hGet(jobKeys(jobId).meta, 'resendsSinceDispatch')).toBeNull();
  });

  it('cancels a running job: it ends cancelled, its keys go but for a record, no more work is started', async () => {
    const workCount = async () => (await env.ow.activations.list({ name: env.kernelAction.sleep!, limit: 0, count: true })).activations as number;
    const before = await workCount();
    const { status: code, body } = await env.submit({ kernel: 'sleep', params: { ms: 300 }, tasks: 400 });
    expect(code, JSON.stringify(body)).toBe(200);
    const jobId = body.jobId as string;
    await waitUntil('some tasks to finish', async () => ((await status(jobId))?.done >= 5 ? true : undefined));

    const cancel = await env.submit({ cancel: jobId });
    expect(cancel).toEqual({ status: 200, body: { jobId, state: 'cancelled' } });
    const cancelledAt = Date.now();
    const st = await status(jobId);
    expect(st).toMatchObject({ jobId, state: 'cancelled', total: 400, kernel: 'sleep' });
    expect(st!.done).toBeGreaterThanOrEqual(5);

    // Late writers (workers already running) leave nothing behind: only the record remains, expiring within the hour.
    const prefix = `sc:job:{${jobId}}:`;
    const keysOf = async () => (await env.jobKeys()).filter((k) => k.startsWith(prefix));
    let last = -1;
    const settled = await waitUntil('the job to settle', async () => {
      const keys = await keysOf();
      const n = await workCount();
      const same = n === last;
      last = n;
      return same && keys.length === 1 ? n : undefined;
    });
    expect(await keysOf()).toEqual([jobKeys(jobId).meta]);
    expect(await env.redis.pTTL(jobKeys(jobId).meta)).toBeLessThanOrEqual(3600 * 1000);
    // Every work activation that began after the cancel stopped without running its task.
    const later: Array<{ start: number; response: { result: Record<string, unknown> } }> = [];
    for (let skip = 0; skip < settled - before; skip += 200) {
      const page = (await env.ow.activations.list({ name: env.kernelAction.sleep!, since: cancelledAt, docs: true, limit: 200, skip })) as unknown as typeof later;
      later.push(...page.filter((a) => a.start > cancelledAt));
    }
    for (const a of later) if (a.response.result.jobId === jobId) expect(a.response.result).toMatchObject({ skipped: 'cancelled' });
    // Cancelling again, or an unknown job: 409 and 404.
    expect((await env.submit({ cancel: jobId }, { ext: 'http' })).status).toBe(409);
    expect((await env.submit({ cancel: newJobId() }, { ext: 'http' })).status).toBe(404);
    expect((await env.submit({ cancel: 42 }, { ext: 'http' })).status).toBe(400);
    expect((await env.submit({ cancel: 'no such/../id' }, { ext: 'http' })).status).toBe(404);
  });

  it('cancels from the command line, and says so when it cannot', async () => {
    const { body } = await env.submit({ kernel: 'sleep', params: { ms: 5000 }, tasks: 100 });
    const flags = ['--apihost', env.platform.url, '--auth', env.platform.auth];
    const ok = await cli(['cancel', body.jobId, ...flags]);
    expect(ok.code, ok.stderr + JSON.stringify(await status(body.jobId))).toBe(0);
    expect(ok.stdout).toContain(`job ${body.jobId}: cancelled`);
    expect((await status(body.jobId))?.state).toBe('cancelled');
    const again = await cli(['cancel', body.jobId, ...flags]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/is cancelled; only a running job can be cancelled/);
    const unknown = await cli(['cancel', newJobId(), ...flags]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown job/);
    const missing = await cli(['cancel', ...flags]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/missing required argument 'jobId'/);
  });
});
