// The job's state in Redis. Every state change is one Lua script, so concurrent and repeated calls stay consistent;
// every key gets the job's expiry time (set once, at creation) so a job's keys vanish together.
import { jobKeys, allJobKeys } from './keys.ts';
import { commandOptions } from 'redis';
import { Script, command, type Redis } from './redis.ts';
import { parseTaskRecord, type StoredTaskRecord } from './task-records.ts';
import type { JobState, JobStatus, Timings } from '../job/status.ts';

export type { JobState, JobStatus, Timings };


export interface JobSpec {
  kernel: string;
  /** The kernel's raw params, JSON. */
  params: string;
  total: number;
  fanout: number;
  leafSize: number;
  concurrency: number;
  retries: number;
  /** A task started this long ago without a partial is taken for lost (its activation timed out or crashed). */
  taskTimeoutMs?: number;
  /** Re-invocations of lost or failed tasks the whole job may spend before it fails (see lib/recovery.ts). */
  retryBudget?: number;
  /** Start a second copy of the slowest tasks once most are done (1) or not (0). */
  speculation?: number;
  /** The watchdog's period, ms. */
  watchdogMs?: number;
  /** A dispatched task's activation record is first looked at this long after the invoke, ms. */
  probeAfterMs?: number;
  /** A dispatched task that has not started this long after the invoke is taken for lost, ms. */
  startTimeoutMs?: number;
}

export const DEFAULT_TASK_TIMEOUT_MS = 330_000;

export interface JobMeta extends JobSpec {
  taskTimeoutMs: number;
  state: JobState;
  created: number;
  expiresAt: number;
  firstStart?: number;
  lastStart?: number;
  lastEnd?: number;
  reduceEnd?: number;
  error?: string;
  failedTask?: number;
  /** Last time a coordinator or the watchdog recorded invokes of tasks. */
  lastDispatch?: number;
  reinvokes?: number;
  speculated?: number;
}

// Shared Lua prologue: KEYS[1] is always the meta hash; a missing meta means an unknown or expired job.
const CREATE = new Script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`);

const START = new Script(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
if state == 'cancelled' then return state end
local now = tonumber(ARGV[2])
local exp = redis.call('HGET', KEYS[1], 'expiresAt')
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[2], exp)
if ARGV[3] and ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
  redis.call('PEXPIREAT', KEYS[3], exp)
else
  redis.call('HDEL', KEYS[3], ARGV[1])
end
local first = redis.call('HGET', KEYS[1], 'firstStart')
if not first or now < tonumber(first) then redis.call('HSET', KEYS[1], 'firstStart', ARGV[2]) end
local last = redis.call('HGET', KEYS[1], 'lastStart')
if not last or now > tonumber(last) then redis.call('HSET', KEYS[1], 'lastStart', ARGV[2]) end
return redis.call('HGET', KEYS[1], 'state')`);

// Returns {added, done, completedNow}: completedNow is 1 for exactly one call, the one whose partial made the count whole.
const COMPLETE = new Script(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
if state == 'cancelled' then return {0, 0, 0} end
local added = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
if added == 1 then
  local expiresAt = redis.call('HGET', KEYS[1], 'expiresAt')
  redis.call('PEXPIREAT', KEYS[2], expiresAt)
  redis.call('SETBIT', KEYS[3], ARGV[1], 1)
  redis.call('PEXPIREAT', KEYS[3], expiresAt)
  if ARGV[4] ~= '' then
    redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
    redis.call('PEXPIREAT', KEYS[4], expiresAt)
  end
  local last = redis.call('HGET', KEYS[1], 'lastEnd')
  if not last or tonumber(ARGV[3]) > tonumber(last) then redis.call('HSET', KEYS[1], 'lastEnd', ARGV[3]) end
end
local done = redis.call('HLEN', KEYS[2])
local completed = 0
if added == 1 and done == tonumber(redis.call('HGET', KEYS[1], 'total')) and redis.call('HGET', KEYS[1], 'state') == 'running' then
  completed = 1
end
return {added, done, completed}`);

// Returns {attempts, failedNow, retry}: the job fails once a task has failed more than ARGV[3] times; retry is 1
// when the task should run again (the job still runs and no other attempt of the task has succeeded).
const FAIL_TASK = new Script(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
if state == 'cancelled' then return {0, 0, 0} end
local attempts = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('PEXPIREAT', KEYS[2], redis.call('HGET', KEYS[1], 'expiresAt'))
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return {attempts, 0, 0}
end
if attempts > tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'state', 'failed', 'error', ARGV[2], 'failedTask', ARGV[1], 'lastEnd', ARGV[4])
  return {attempts, 1, 0}
end
return {attempts, 0, 1}`);

const FAIL_JOB = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'failed', 'error', ARGV[1])
return 1`);

// Returns 1 when this call stored the result, 0 when the job was already done, -1 when it had failed.
const FINISH = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' then return 0 end
if state == 'failed' then return -1 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('PEXPIREAT', KEYS[2], redis.call('HGET', KEYS[1], 'expiresAt'))
redis.call('HSET', KEYS[1], 'state', 'done', 'reduceEnd', ARGV[2])
return 1`);

// Returns 1 when a job has every task done but no result for longer than ARGV[2] ms (its reduce was lost, e.g. a
// throttled rule activation) and this caller is the first in that window to notice; the caller then starts reduce.
const CLAIM_REDUCE_KICK = new Script(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if redis.call('HLEN', KEYS[2]) ~= tonumber(redis.call('HGET', KEYS[1], 'total')) then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'lastEnd') or '0')
if tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then return 0 end
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
return 1`);

export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
}

const META_FIELDS = [
  'kernel', 'params', 'total', 'state', 'created', 'expiresAt', 'fanout', 'leafSize', 'concurrency', 'retries',
  'taskTimeoutMs', 'firstStart', 'lastStart', 'lastEnd', 'reduceEnd', 'error', 'failedTask',
  'retryBudget', 'speculation', 'watchdogMs', 'probeAfterMs', 'startTimeoutMs', 'lastDispatch', 'reinvokes', 'speculated',
] as const;

function num(v: string | null | undefined): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export class JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number = 24 * 60 * 60,
  ) {}

  /** The connection, for modules that keep further state of the job (lib/recovery.ts). */
  get client(): Redis {
    return this.redis;
  }

  /** Creates the job; false if a job with this id exists (nothing is changed then). */
  async create(jobId: string, spec: JobSpec, now = Date.now()): Promise<boolean> {
    const expiresAt = now + this.ttlSeconds * 1000;
    const fields: Record<string, string | number> = { ...spec, state: 'running', created: now, expiresAt };
    const args: Array<string | number> = [expiresAt];
    for (const [k, v] of Object.entries(fields)) args.push(k, v);
    return (await CREATE.run(this.redis, [jobKeys(jobId).meta], args)) === 1;
  }

  async meta(jobId: string, withParams = true): Promise<JobMeta | undefined> {
    const fields = withParams ? [...META_FIELDS] : META_FIELDS.filter((f) => f !== 'params');
    const values = await command(() => this.redis.hmGet(jobKeys(jobId).meta, fields));
    const m = Object.fromEntries(fields.map((f, i) => [f, values[i]])) as Record<string, string | null>;
    if (m.state === null || m.state === undefined) return undefined;
    return {
      kernel: m.kernel ?? '',
      params: m.params ?? '{}',
      total: num(m.total) ?? 0,
      state: m.state as JobState,
      created: num(m.created) ?? 0,
      expiresAt: num(m.expiresAt) ?? 0,
      fanout: num(m.fanout) ?? 0,
      leafSize: num(m.leafSize) ?? 0,
      concurrency: num(m.concurrency) ?? 0,
      retries: num(m.retries) ?? 0,
      taskTimeoutMs: num(m.taskTimeoutMs) ?? DEFAULT_TASK_TIMEOUT_MS,
      firstStart: num(m.firstStart),
      lastStart: num(m.lastStart),
      lastEnd: num(m.lastEnd),
      reduceEnd: num(m.reduceEnd),
      error: m.error ?? undefined,
      failedTask: num(m.failedTask),
      retryBudget: num(m.retryBudget),
      speculation: num(m.speculation),
      watchdogMs: num(m.watchdogMs),
      probeAfterMs: num(m.probeAfterMs),
      startTimeoutMs: num(m.startTimeoutMs),
      lastDispatch: num(m.lastDispatch),
      reinvokes: num(m.reinvokes),
      speculated: num(m.speculated),
    };
  }

  /**
   * Records a task's start (the latest attempt's, per task, with the activation that started; first and last over the
   * job); returns the job's state.
   */
  async start(jobId: string, index: number, now = Date.now(), activationId = ''): Promise<JobState> {
    const k = jobKeys(jobId);
    const state = await START.run(this.redis, [k.meta, k.starts, k.startedBy], [index, now, activationId]);
    if (state === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return state as JobState;
  }

  /** Stores a task's partial, its done mark and its record in one step; a repeated task changes nothing. */
  async complete(
    jobId: string,
    index: number,
    partialJson: string,
    now = Date.now(),
    record?: StoredTaskRecord,
  ): Promise<{ added: boolean; done: number; completed: boolean }> {
    const k = jobKeys(jobId);
    const args = [index, partialJson, now, record ? JSON.stringify(record) : ''];
    const r = (await COMPLETE.run(this.redis, [k.meta, k.partials, k.doneBits, k.tasks], args)) as number[] | null;
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return { added: r[0] === 1, done: r[1], completed: r[2] === 1 };
  }

  /** Counts a failed attempt; past the retry budget the job fails with `error`. */
  async failTask(
    jobId: string,
    index: number,
    error: string,
    retries: number,
    now = Date.now(),
  ): Promise<{ attempts: number; failed: boolean; retry: boolean }> {
    const k = jobKeys(jobId);
    const r = (await FAIL_TASK.run(this.redis, [k.meta, k.attempts, k.partials], [index, error, retries, now])) as number[] | null;
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return { attempts: r[0], failed: r[1] === 1, retry: r[2] === 1 };
  }

  /** Marks a running job failed; false if it was not running. */
  async failJob(jobId: string, error: string): Promise<boolean> {
    const r = await FAIL_JOB.run(this.redis, [jobKeys(jobId).meta], [error]);
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return r === 1;
  }

  /** All partials, ordered by task index. */
  async partials(jobId: string): Promise<Array<{ index: number; partial: string }>> {
    const all = await command(() => this.redis.hGetAll(jobKeys(jobId).partials));
    return Object.entries(all)
      .map(([index, partial]) => ({ index: Number(index), partial }))
      .sort((a, b) => a.index - b.index);
  }

  /** Stores the result and marks the job done; 'stored', or 'already-done' / 'failed' when it was not running. */
  async finish(jobId: string, resultJson: string, now = Date.now()): Promise<'stored' | 'already-done' | 'failed'> {
    const k = jobKeys(jobId);
    const r = await FINISH.run(this.redis, [k.meta, k.result], [resultJson, now]);
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return r === 1 ? 'stored' : r === 0 ? 'already-done' : 'failed';
  }

  async doneCount(jobId: string): Promise<number> {
    return command(() => this.redis.hLen(jobKeys(jobId).partials));
  }

  async resultJson(jobId: string): Promise<string | undefined> {
    const r = await command(() => this.redis.get(jobKeys(jobId).result));
    return r ?? undefined;
  }

  /** The done tasks as a bitmap, task i at bit (7 - i % 8) of byte floor(i / 8); empty before the first is done. */
  async doneBitmap(jobId: string): Promise<Buffer> {
    const bits = await command(() => this.redis.get(commandOptions({ returnBuffers: true }), jobKeys(jobId).doneBits));
    return bits ?? Buffer.alloc(0);
  }

  /** The record of each counted task, by task index (tasks done without one are left out). */
  async taskRecords(jobId: string): Promise<Map<number, StoredTaskRecord>> {
    const all = await command(() => this.redis.hGetAll(jobKeys(jobId).tasks));
    const out = new Map<number, StoredTaskRecord>();
    for (const [index, json] of Object.entries(all)) {
      const r = parseTaskRecord(json);
      if (r) out.set(Number(index), r);
    }
    return out;
  }

  /** Whether the caller should start a reduce that seems lost (see CLAIM_REDUCE_KICK). */
  async claimReduceKick(jobId: string, graceMs: number, now = Date.now()): Promise<boolean> {
    const k = jobKeys(jobId);
    return (await CLAIM_REDUCE_KICK.run(this.redis, [k.meta, k.partials, k.kick], [now, graceMs])) === 1;
  }

  /**
   * Tasks that started more than the job's task timeout ago and have no partial, looked for at most once per
   * `everyMs` (a marker key keeps concurrent pollers from sweeping together); empty when it is not this caller's turn.
   */
  async claimStalledTasks(jobId: string, meta: JobMeta, everyMs: number, now = Date.now()): Promise<number[]> {
    const k = jobKeys(jobId);
    if (meta.state !== 'running') return [];
    const claimed = await command(() => this.redis.set(k.sweep, String(now), { NX: true, PX: everyMs }));
    if (claimed === null) return [];
    const [starts, done] = await command(() => Promise.all([this.redis.hGetAll(k.starts), this.redis.hKeys(k.partials)]));
    const finished = new Set(done);
    return Object.entries(starts)
      .filter(([index, at]) => !finished.has(index) && now - Number(at) > meta.taskTimeoutMs)
      .map(([index]) => Number(index))
      .sort((a, b) => a - b);
  }

  /** Removes every key of the job (used when the job could not be started). */
  async remove(jobId: string): Promise<void> {
    await command(() => this.redis.del(allJobKeys(jobId)));
  }

  async status(jobId: string): Promise<JobStatus | undefined> {
    const meta = await this.meta(jobId, false);
    if (!meta) return undefined;
    // A cancelled job's keys are gone but for its record, which keeps the count it had.
    const done =
      meta.state === 'cancelled' ? Number(await command(() => this.redis.hGet(jobKeys(jobId).meta, 'done'))) || 0 : await this.doneCount(jobId);
    const status: JobStatus = { jobId, state: meta.state, done, total: meta.total, kernel: meta.kernel };
    if (meta.state === 'cancelled') return status;
    status.retries = {
      tasks: await command(() => this.redis.hLen(jobKeys(jobId).retried)),
      invocations: meta.reinvokes ?? 0,
      speculative: meta.speculated ?? 0,
      budget: meta.retryBudget ?? 0,
    };
    if (meta.state === 'done') {
      const json = await this.resultJson(jobId);
      status.result = json === undefined ? null : JSON.parse(json);
    }
    if (meta.state === 'failed') status.error = meta.error ?? 'the job failed';
    if (meta.state !== 'running') status.timings = timingsOf(meta);
    return status;
  }
}

export function timingsOf(meta: JobMeta): Timings {
  return {
    jobStart: meta.created,
    firstWorkerStart: meta.firstStart ?? null,
    lastWorkerStart: meta.lastStart ?? null,
    lastWorkerEnd: meta.lastEnd ?? null,
    reduceEnd: meta.reduceEnd ?? null,
    elapsedMs: meta.reduceEnd !== undefined ? meta.reduceEnd - meta.created : null,
  };
}
