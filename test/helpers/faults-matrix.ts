// The fault matrix, one file per mode (test/faults-push-mode.test.ts, test/faults-pull-mode.test.ts): a job of a few
// hundred tasks under each injected fault, alone and mixed, and through a restart of the platform, in push mode
// (primes: one activation per task, a coordinator tree) and in pull mode (sleep: W workers claiming tasks from the job's queue): the result is exact, every
// task counted once, and the job's record says how much re-running it took. The same seed gives the same fault
// decisions. Both files share a Redis database: a dropped Redis connection is one of the file's own platform's
// containers (pipeline-env.ts). Every rule of recovery is table-tested on its own (supervisor-decide.test.ts);
// these runs show the rules hold together against the real platform, so the jobs are only as large as the fault
// counts asserted need. A shuffle job's rows (two stages, an object store that fails PUTs) are in faults-shuffle.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultDecision, FaultKind, FaultOptions } from '../../platform/index.ts';
import { primes } from '../../kernels/primes.ts';
import { jobKeys } from '../../pipeline/store/keys.ts';
import { startPipeline, type PipelineEnv, type TestJobStatus } from './pipeline-env.ts';

const DB = 4;
const TASKS = 300;
const BELOW = 2_000_000;
const PRIMES_BELOW = primes.reference(primes.parse({ below: BELOW })).count;

/** How a job runs in one mode, and how hard each fault must hit it to be seen. */
interface Mode {
  name: string;
  /** The job every row runs, and its result for `tasks` tasks. */
  job: { kernel: string; params: Record<string, unknown>; result: (tasks: number) => Record<string, unknown> };
  /** Added to every job's request. */
  request: Record<string, unknown>;
  settings: Record<string, unknown>;
  /** The actions that run tasks (the job kernel's tasks action). */
  runs: string[];
  /** Container concurrency of the kernel's tasks action in this mode (the rows' expectations were set with these). */
  concurrency: number;
  /** The actions that invoke the task runners besides split and the supervisor. */
  starts: string[];
  /** Killed runners: how often, and when in their run. */
  kill: Pick<FaultOptions, 'killContainer' | 'killAfterMs'>;
  /** Dropped invokes of runners (and of their starters). */
  drop: number;
  /** Least kills, and least drops, the seeds below are sure to make. */
  leastKillsOrDrops: number;
  /** A dropped invoke leaves tasks to run again (push: a task's invoke; pull: a worker's invoke holds no task). */
  dropsRerunTasks: boolean;
  burst: { tasks: number; every: number; length: number; least: number };
  /** The mixed row: its bursts, the least kills and drops, refusals, and decisions of each kind the second run makes. */
  mixed: { every: number; length: number; leastKillsAndDrops: number; leastThrottles: number; leastDecisions: number };
  /**
   * The restart row's settings over `settings`: a task whose activation went with the platform is taken for lost or
   * timed out after the task timeout (push mode, plus a lease without a dispatch mark), or once its lease expires.
   */
  restart: Record<string, unknown>;
}

// Quick recovery for a test: the supervisor looks every 250 ms, a dispatched task's record after 0.5 s, a task that has
// not started 3 s after its invoke counts as lost (as does a coordinator that has dispatched nothing for 3 s). A shorter
// time is less than a cold start on a busy machine: slow starts pass for lost ones, and what is sent again for them
// slows the machine further.
const FAST = { supervisorMs: 250, probeAfterMs: 500, startTimeoutMs: 3000, fanout: 8, leafSize: 32 };

export const PUSH: Mode = {
    name: 'push',
    job: { kernel: 'primes', params: { below: BELOW }, result: () => ({ count: PRIMES_BELOW }) },
    request: {},
    settings: FAST,
    runs: ['primes.push@*'],
    concurrency: 8,
    starts: ['coordinate'],
    kill: { killContainer: 0.05 },
    drop: 0.05,
    leastKillsOrDrops: 5,
    dropsRerunTasks: true,
    // 429 bursts refuse 5 of every 20 invokes: this many tasks make well over 100 refusals.
    burst: { tasks: 500, every: 20, length: 5, least: 100 },
    mixed: { every: 25, length: 5, leastKillsAndDrops: 11, leastThrottles: 51, leastDecisions: 11 },
    restart: { taskTimeoutMs: 5000, leaseMs: 1500 },
};

export const PULL: Mode = {
    // Six workers on 300 tasks, leases of 1.5 s (a worker is taken for gone after 3 s): a killed or dropped worker
    // makes few activations, so it is hit more often, and killed while it is at its tasks.
    name: 'pull',
    // Tasks that wait 1 s, 64 at once per worker: a pull job of tiny primes tasks is over before a kill can find a
    // worker holding one, and only a held task shows recovery.
    job: { kernel: 'sleep', params: { ms: 1000 }, result: (tasks) => ({ tasks, totalMs: tasks * 1000 }) },
    request: { workers: 6 },
    settings: { ...FAST, leaseMs: 1500, ioTasksPerWorker: 64 },
    // The mixed row's second, smaller job is of primes.
    runs: ['sleep@*', 'primes@*'],
    concurrency: 1,
    // Workers past one leaf are started through coordinators.
    starts: ['coordinate'],
    kill: { killContainer: 0.3, killAfterMs: [100, 600] },
    drop: 0.3,
    leastKillsOrDrops: 1,
    dropsRerunTasks: false,
    // A job makes few invokes (its workers, supervisors, hand-overs): every other pair is refused.
    burst: { tasks: TASKS, every: 4, length: 2, least: 3 },
    mixed: { every: 4, length: 1, leastKillsAndDrops: 2, leastThrottles: 1, leastDecisions: 1 },
    restart: {},
};

let env: PipelineEnv | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

const injected = (e: PipelineEnv, kind: FaultKind) => e.platform.faults.stats().injected[kind];
const decisions = (log: FaultDecision[], kind: FaultKind) => log.filter((d) => d.kind === kind).map((d) => [d.n, d.fault, d.value ?? null]);

/** The matrix's rows for one mode: a file per mode, so that the two run side by side. */
export function faultsMatrix(mode: Mode): void {
  describe(`jobs under injected faults, ${mode.name} mode`, () => {
    const start = (faults: FaultOptions & { redisDrop?: boolean }, settings: Record<string, unknown> = {}) =>
      startPipeline({ db: DB, params: { supercompute: { ...mode.settings, ...settings } }, kernelLimits: { concurrency: mode.concurrency }, faults });

    async function runJob(e: PipelineEnv, onProgress?: (done: number, status: TestJobStatus) => Promise<void>, tasks = TASKS) {
      const { status, body } = await e.submit({ kernel: mode.job.kernel, params: mode.job.params, tasks, ...mode.request });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.total).toBe(tasks);
      return e.waitForJob(body.jobId, { onProgress: (st) => onProgress?.(st.done, st) });
    }

    async function expectExact(e: PipelineEnv, st: Record<string, any>, tasks = TASKS) {
      expect(st, JSON.stringify(st).slice(0, 500)).toMatchObject({ state: 'done', done: tasks, total: tasks, result: mode.job.result(tasks) });
      expect(await e.redis.hLen(jobKeys(st.jobId).partials)).toBe(tasks);
      expect(st.retries).toMatchObject({ tasks: expect.any(Number), invocations: expect.any(Number), resentRanges: expect.any(Number), speculative: expect.any(Number) });
      expect(st.retries.invocations).toBeLessThanOrEqual(st.retries.budget);
    }

    it('killed containers', async () => {
      env = await start({ seed: 'kill', actions: mode.runs, ...mode.kill });
      const st = await runJob(env);
      await expectExact(env, st);
      expect(injected(env, 'killContainer')).toBeGreaterThanOrEqual(mode.leastKillsOrDrops);
      expect(st.retries.tasks).toBeGreaterThan(0);
    });

    it('dropped activations: invokes accepted but never run', async () => {
      env = await start({ seed: 'drop', actions: [...mode.runs, ...mode.starts], dropActivation: mode.drop });
      const st = await runJob(env);
      await expectExact(env, st);
      expect(injected(env, 'dropActivation')).toBeGreaterThanOrEqual(mode.leastKillsOrDrops);
      if (mode.dropsRerunTasks) expect(st.retries.tasks).toBeGreaterThan(0);
    });

    it('delayed container starts', async () => {
      env = await start({ seed: 'delay', actions: mode.runs, startDelay: 0.5, startDelayMs: [200, 1500] });
      const st = await runJob(env);
      await expectExact(env, st);
      expect(injected(env, 'startDelay')).toBeGreaterThan(0);
    });

    it('429 bursts on invokes, split and supervisor included', async () => {
      const { tasks, every, length, least } = mode.burst;
      env = await start({ seed: 'burst', actions: [...mode.runs, ...mode.starts, 'split', 'supervisor'], throttleBurst: { every, length } });
      const st = await runJob(env, undefined, tasks);
      await expectExact(env, st, tasks);
      expect(injected(env, 'throttle')).toBeGreaterThanOrEqual(least);
    });

    it('one Redis reconnect mid-job', async () => {
      env = await start({ seed: 'redis', redisDrop: true });
      let dropped = -1;
      const e = env;
      const st = await runJob(e, async (done) => {
        if (dropped < 0 && done >= 50) dropped = await e.platform.faults.dropRedis();
      });
      await expectExact(env, st);
      expect(dropped).toBeGreaterThan(0);
      expect(env.platform.faults.stats().errors).toEqual([]);
    });

    it('platform restart mid-job: stopped while tasks run, started again on the same port, redeployed', async () => {
      env = await start({}, mode.restart);
      const e = env;
      let doneAtRestart: number | undefined;
      const st = await runJob(e, async (done, status) => {
        // Once tasks have started, while the job runs: activations in flight go with the platform, records and all.
        if (doneAtRestart !== undefined || status.state !== 'running' || (await e.redis.hLen(jobKeys(status.jobId).starts)) === 0) return;
        doneAtRestart = done;
        await e.restart();
      });
      await expectExact(e, st);
      expect(doneAtRestart).toBeLessThan(TASKS);
    });

    it('mixed: killed + dropped + 429 bursts + one Redis reconnect; the same seed decides the same way', async () => {
      const faults = {
        seed: 'mixed-1',
        actions: [...mode.runs, ...mode.starts],
        ...mode.kill,
        dropActivation: mode.drop,
        throttleBurst: { every: mode.mixed.every, length: mode.mixed.length },
        redisDrop: true,
      };
      env = await start(faults);
      const e = env;
      let dropped = -1;
      const st = await runJob(e, async (done) => {
        if (dropped < 0 && done >= 100) dropped = await e.platform.faults.dropRedis();
      });
      await expectExact(e, st);
      const stats = e.platform.faults.stats();
      expect(stats.seed).toBe('mixed-1');
      expect(stats.injected.killContainer + stats.injected.dropActivation).toBeGreaterThanOrEqual(mode.mixed.leastKillsAndDrops);
      expect(stats.injected.throttle).toBeGreaterThanOrEqual(mode.mixed.leastThrottles);
      expect(dropped).toBeGreaterThan(0);
      expect(st.retries.tasks).toBeGreaterThan(0);
      const first = e.platform.faults.log();
      await e.stop();

      // A second platform, same seed, a smaller job: its decisions are a prefix of the first run's, kind by kind.
      env = await start(faults);
      const { body } = await env.submit({ kernel: 'primes', params: { below: 1e5 }, tasks: 100, ...mode.request });
      const smaller = await env.waitForJob(body.jobId);
      expect(smaller.result, JSON.stringify(smaller).slice(0, 600)).toMatchObject({ count: primes.reference(primes.parse({ below: 1e5 })).count });
      const second = env.platform.faults.log();
      for (const kind of ['killContainer', 'dropActivation', 'throttle'] as const) {
        const a = decisions(first, kind);
        const b = decisions(second, kind);
        expect(b.length).toBeGreaterThanOrEqual(mode.mixed.leastDecisions);
        const n = Math.min(a.length, b.length);
        expect(b.slice(0, n)).toEqual(a.slice(0, n));
      }
    });
  });
}
