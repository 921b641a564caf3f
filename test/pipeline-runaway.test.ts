// Runaway kernel code is contained: a task that never yields (a `while (true)` map function) ends at its time limit,
// in pull mode and in push mode, and a cancelled job's stuck task ends within the watchdog's grace: the process's
// watchdog thread (pipeline/watchdog/) ends the container process, says so in the activation's logs, and the
// process is gone. Expired leases do not multiply looping workers: the watchdog renews the stuck task's lease, so each
// attempt is one process, and the task fails after its retries with the time limit as its error.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openwhisk from 'openwhisk';
import { deployKernel } from '../host/kernels/deploy.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { waitUntil } from './helpers/wait-until.ts';

const DB = 0;
const TASK_TIMEOUT_MS = 3000;
const RETRIES = 1;
// Leases shorter than the task timeout: without the watchdog renewing a stuck task's lease, each attempt would lose it.
const SETTINGS = { taskTimeoutMs: TASK_TIMEOUT_MS, leaseMs: 2000, retries: RETRIES, supervisorMs: 250, probeAfterMs: 500, startTimeoutMs: 5000, speculation: false };
const RUNAWAY = { source: '(x) => { while (true) {} }', inputs: [1] };
const WATCHDOG_LINE = /supercompute watchdog: task 0 of job (\S+) (ran past its time limit|still ran after its job ended); ending process (\d+)/;

let env: PipelineEnv;
let longTimeouts: PipelineEnv | undefined;
beforeAll(async () => {
  env = await startPipeline({ db: DB, params: { supercompute: SETTINGS } });
});
afterAll(async () => {
  await longTimeouts?.stop();
  await env?.stop();
});

interface WatchdogEnd {
  activationId: string;
  why: string;
  pid: number;
  error: unknown;
}

/** The activations the watchdog ended for `jobId`, with why and the process it ended. */
async function watchdogEnds(jobId: string, on: PipelineEnv = env): Promise<WatchdogEnd[]> {
  const records: Array<{ activationId: string; logs?: string[]; response?: { result?: { error?: unknown } } }> = await on.ow.activations.list({ limit: 200, docs: true });
  const ends: WatchdogEnd[] = [];
  for (const r of records) {
    for (const line of r.logs ?? []) {
      const m = WATCHDOG_LINE.exec(line);
      if (m && m[1] === jobId) ends.push({ activationId: r.activationId, why: m[2]!, pid: Number(m[3]), error: r.response?.result?.error });
    }
  }
  return ends;
}

function expectGone(ends: WatchdogEnd[]): void {
  for (const e of ends) {
    expect(e.error).toBe('The action did not produce a valid response and exited unexpectedly.');
    expect(existsSync(`/proc/${e.pid}`), `process ${e.pid} is still there`).toBe(false);
  }
}

describe('runaway task code', () => {
  it('pull mode: each attempt ends at the task timeout with its process, one process an attempt, and the job fails', async () => {
    const { status, body } = await env.submit({ kernel: 'map', params: RUNAWAY, tasks: 1, workers: 1 });
    expect(status, JSON.stringify(body)).toBe(200);
    const failed = await env.waitForJob(body.jobId);
    expect(failed).toMatchObject({ state: 'failed', done: 0, total: 1, error: `task 0 exceeded its time limit of ${TASK_TIMEOUT_MS} ms` });
    expect(Number(await env.redis.hGet(jobKeys(body.jobId).attempts, '0'))).toBe(RETRIES + 1);
    // The stuck task kept its lease: it was never requeued as a lost worker's, only after each failed attempt.
    expect(failed.retries.invocations).toBe(RETRIES);
    const ends = await waitUntil('the ended workers\' records', async () => {
      const found = await watchdogEnds(body.jobId);
      return found.length >= RETRIES + 1 ? found : undefined;
    });
    expect(ends).toHaveLength(RETRIES + 1);
    expect(new Set(ends.map((e) => e.pid)).size).toBe(RETRIES + 1);
    for (const e of ends) expect(e.why).toBe('ran past its time limit');
    expectGone(ends);
  });

  it('push mode: the task ends at the task timeout with its process, and the job fails after its retries', async () => {
    const { status, body } = await env.submit({ kernel: 'map', params: RUNAWAY, tasks: 1 });
    expect(status, JSON.stringify(body)).toBe(200);
    const failed = await env.waitForJob(body.jobId);
    expect(failed).toMatchObject({ state: 'failed', done: 0, total: 1, error: `task 0 did not finish within ${TASK_TIMEOUT_MS} ms` });
    const ends = await waitUntil('the ended tasks\' records', async () => {
      const found = await watchdogEnds(body.jobId);
      return found.length >= RETRIES + 1 ? found : undefined;
    });
    for (const e of ends) expect(e.why).toBe('ran past its time limit');
    expectGone(ends);
  });

  it("aborts a task's signal at its time limit, with the reason; an attempt that then stops in time counts", async () => {
    await deployKernel(openwhisk({ apihost: env.platform.url, api_key: env.platform.auth }), 'test/fixtures/kernels/aborting.ts');
    for (const workers of [1, undefined]) {
      const { status, body } = await env.submit({ kernel: 'aborting', params: {}, tasks: 2, ...(workers ? { workers } : {}) });
      expect(status, JSON.stringify(body)).toBe(200);
      const st = await env.waitForJob(body.jobId);
      expect(st).toMatchObject({ state: 'done', done: 2, result: { reasons: ['the task passed its time limit', 'the task passed its time limit'] } });
      // The process was not ended: the tasks stopped when told.
      expect(await watchdogEnds(body.jobId)).toEqual([]);
    }
  });

  it("cancel ends a stuck task of the job within the watchdog's grace, long before its time limit", async () => {
    // Tasks may run 10 minutes here: only the cancel ends this one.
    const e = (longTimeouts = await startPipeline({ db: DB, params: { supercompute: { ...SETTINGS, taskTimeoutMs: 600_000 } } }));
    const { status, body } = await e.submit({ kernel: 'map', params: RUNAWAY, tasks: 1, workers: 1 });
    expect(status, JSON.stringify(body)).toBe(200);
    await waitUntil('the task to start', async () => ((await e.redis.hExists(jobKeys(body.jobId).starts, '0')) ? true : undefined));
    expect(await e.jobs.cancel(body.jobId)).toMatchObject({ state: 'cancelled' });
    const ends = await waitUntil('the stuck worker to end', async () => {
      const found = await watchdogEnds(body.jobId, e);
      return found.length > 0 ? found : undefined;
    });
    expect(ends).toHaveLength(1);
    expect(ends[0]!.why).toBe('still ran after its job ended');
    expectGone(ends);
  });
});
