// What keeps a job from losing tasks, in Redis: where each task was last invoked (dispatch marks), re-invocations
// paid from the job's retry budget, speculative copies, the watchdog's lease, and cancellation. Every change is one
// Lua script that does nothing once the job has left `running`, so a cancelled job's keys stay gone.
import { allJobKeys, jobKeys } from './keys.ts';
import { Script, command, type Redis } from './redis.ts';

/**
 * Default per-job budget of re-invocations: half of the tasks, at least 20. One crashed container loses every
 * run it held (`work` runs several per container), so a few crashes spend many re-invocations at once.
 */
export function defaultRetryBudget(total: number): number {
  return Math.max(20, Math.ceil(total / 2));
}

/** How long `status` still answers `cancelled` for a cancelled job, ms. */
export const TOMBSTONE_MS = 60 * 60 * 1000;

// ARGV: now, whether a coordinator is dispatching (1/0), then index, "now:activationId" pairs. Returns the job's
// state (false: unknown job). Only coordinators move lastDispatch: it tells whether the tree is still at work.
const MARK_DISPATCHED = new Script(`
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'running' then return state or false end
if #ARGV > 2 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 3))
  redis.call('PEXPIREAT', KEYS[2], redis.call('HGET', KEYS[1], 'expiresAt'))
end
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'lastDispatch', ARGV[1]) end
return state`);

// KEYS: meta, partials, retried, spec, dispatched. ARGV: index, kind (lost|failed|spec), now, error if the budget is
// spent, the dispatch mark the caller judged ('' for any). Returns {verdict, n}: verdict 1 = invoke it again (n: its
// re-invocations so far), 0 = no need (done, already speculated, or invoked again since the caller looked), -1 = the
// job is not running, -2 = the budget is spent and the job has failed now.
const REINVOKE = new Script(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return {-1, 0} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {0, 0} end
if ARGV[5] ~= '' and redis.call('HGET', KEYS[5], ARGV[1]) ~= ARGV[5] then return {0, 0} end
local exp = redis.call('HGET', KEYS[1], 'expiresAt')
if ARGV[2] == 'spec' then
  if redis.call('HSETNX', KEYS[4], ARGV[1], ARGV[3]) == 0 then return {0, 0} end
  redis.call('PEXPIREAT', KEYS[4], exp)
  redis.call('HINCRBY', KEYS[1], 'speculated', 1)
  return {1, 0}
end
local used = tonumber(redis.call('HGET', KEYS[1], 'reinvokes') or '0')
local budget = tonumber(redis.call('HGET', KEYS[1], 'retryBudget') or '0')
if budget <= 0 then budget = math.max(20, math.ceil(tonumber(redis.call('HGET', KEYS[1], 'total') or '0') / 4)) end
if used >= budget then
  redis.call('HSET', KEYS[1], 'state', 'failed', 'error', ARGV[4], 'failedTask', ARGV[1], 'lastEnd', ARGV[3])
  return {-2, used}
end
redis.call('HINCRBY', KEYS[1], 'reinvokes', 1)
local n = redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
redis.call('PEXPIREAT', KEYS[3], exp)
return {1, n}`);

// KEYS: meta, watch. ARGV: owner, ttl ms. 1 when the caller holds the lease now (took it or renewed it).
const HOLD_LEASE = new Script(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
local cur = redis.call('GET', KEYS[2])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1`);

const RELEASE_LEASE = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`);

// KEYS: meta, watch, watchKick. ARGV: marker ttl ms. 1 when no watchdog holds the lease and none was started lately.
const CLAIM_WATCH_KICK = new Script(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return 0 end
return 1`);

// KEYS: meta, partials, then every other key of the job. ARGV: now, tombstone ms. Returns the state before (false:
// unknown job); when it was running, the job is now `cancelled` and only a small meta record is left, expiring.
const CANCEL = new Script(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
if state ~= 'running' then return state end
local done = redis.call('HLEN', KEYS[2])
local m = redis.call('HMGET', KEYS[1], 'kernel', 'total', 'created')
for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
local expiresAt = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'kernel', m[1] or '', 'total', m[2] or '0', 'created', m[3] or ARGV[1],
  'done', done, 'cancelledAt', ARGV[1], 'expiresAt', expiresAt)
redis.call('PEXPIREAT', KEYS[1], expiresAt)
return state`);

// Removes whatever a late writer left beside a cancelled job's record.
const PURGE_CANCELLED = new Script(`
if redis.call('HGET', KEYS[1], 'state') ~= 'cancelled' then return 0 end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`);

export interface Dispatch {
  at: number;
  activationId: string;
}

export type ReinvokeVerdict = { go: true; count: number } | { go: false; why: 'done' | 'not-running' | 'budget-spent' };

const MAX_MARKS_PER_CALL = 2000;

export class Recovery {
  constructor(private readonly redis: Redis) {}

  /**
   * Records invokes of tasks (`byCoordinator`: as part of the tree's dispatch, not a re-invoke); returns the job's
   * state (undefined: unknown job), so callers can stop early.
   */
  async markDispatched(jobId: string, marks: ReadonlyArray<[number, string]>, byCoordinator = false, now = Date.now()): Promise<string | undefined> {
    const k = jobKeys(jobId);
    let state: unknown = null;
    for (let i = 0; i === 0 || i < marks.length; i += MAX_MARKS_PER_CALL) {
      const args: Array<string | number> = [now, byCoordinator ? 1 : 0];
      for (const [index, id] of marks.slice(i, i + MAX_MARKS_PER_CALL)) args.push(index, `${now}:${id}`);
      state = await MARK_DISPATCHED.run(this.redis, [k.meta, k.dispatched], args);
      if (state !== 'running') break;
    }
    return typeof state === 'string' ? state : undefined;
  }

  async dispatches(jobId: string): Promise<Map<number, Dispatch>> {
    const all = await command(() => this.redis.hGetAll(jobKeys(jobId).dispatched), this.redis);
    const out = new Map<number, Dispatch>();
    for (const [index, v] of Object.entries(all)) {
      const colon = v.indexOf(':');
      out.set(Number(index), { at: Number(v.slice(0, colon)), activationId: v.slice(colon + 1) });
    }
    return out;
  }

  /**
   * Whether to invoke a task again: `lost` and `failed` spend the job's retry budget (the job fails once it is
   * spent, with `budgetError`), `spec` starts at most one speculative copy per task and spends nothing.
   */
  async reinvoke(
    jobId: string,
    index: number,
    kind: 'lost' | 'failed' | 'spec',
    budgetError: string,
    seen?: Dispatch,
    now = Date.now(),
  ): Promise<ReinvokeVerdict> {
    const k = jobKeys(jobId);
    const mark = seen ? `${seen.at}:${seen.activationId}` : '';
    const keys = [k.meta, k.partials, k.retried, k.spec, k.dispatched];
    const r = (await REINVOKE.run(this.redis, keys, [index, kind, now, budgetError, mark])) as number[];
    if (r[0] === 1) return { go: true, count: r[1] };
    return { go: false, why: r[0] === 0 ? 'done' : r[0] === -1 ? 'not-running' : 'budget-spent' };
  }

  /** Re-invocations per task so far. */
  async retriedCounts(jobId: string): Promise<Map<number, number>> {
    const all = await command(() => this.redis.hGetAll(jobKeys(jobId).retried), this.redis);
    return new Map(Object.entries(all).map(([i, n]) => [Number(i), Number(n)]));
  }

  /** Indices of the tasks done. */
  async doneSet(jobId: string): Promise<Set<number>> {
    const all = await command(() => this.redis.hKeys(jobKeys(jobId).partials), this.redis);
    return new Set(all.map(Number));
  }

  /** Start of each task's latest attempt. */
  async starts(jobId: string): Promise<Map<number, number>> {
    const all = await command(() => this.redis.hGetAll(jobKeys(jobId).starts), this.redis);
    return new Map(Object.entries(all).map(([i, t]) => [Number(i), Number(t)]));
  }

  /** Activation of each task's latest attempt that started (absent where the worker did not know its id). */
  async startedBy(jobId: string): Promise<Map<number, string>> {
    const all = await command(() => this.redis.hGetAll(jobKeys(jobId).startedBy), this.redis);
    return new Map(Object.entries(all).map(([i, id]) => [Number(i), id]));
  }

  /** Run times (ms) of up to `n` done tasks picked at random, from their task records. */
  async sampleDurations(jobId: string, n: number): Promise<number[]> {
    const raw = (await command(
      () => this.redis.sendCommand(['HRANDFIELD', jobKeys(jobId).tasks, String(n), 'WITHVALUES']),
      this.redis,
    )) as string[] | null;
    const out: number[] = [];
    for (let i = 1; i < (raw?.length ?? 0); i += 2) {
      try {
        const r = JSON.parse(raw![i]) as { start?: unknown; end?: unknown };
        if (typeof r.start === 'number' && typeof r.end === 'number') out.push(Math.max(0, r.end - r.start));
      } catch {
        // not a record
      }
    }
    return out;
  }

  async speculated(jobId: string): Promise<Set<number>> {
    const all = await command(() => this.redis.hKeys(jobKeys(jobId).spec), this.redis);
    return new Set(all.map(Number));
  }

  async holdLease(jobId: string, owner: string, ttlMs: number): Promise<boolean> {
    const k = jobKeys(jobId);
    return (await HOLD_LEASE.run(this.redis, [k.meta, k.watch], [owner, Math.max(1000, Math.round(ttlMs))])) === 1;
  }

  async releaseLease(jobId: string, owner: string): Promise<void> {
    await RELEASE_LEASE.run(this.redis, [jobKeys(jobId).watch], [owner]);
  }

  /** Whether the caller should start a watchdog: the job runs, no watchdog holds its lease, none was started lately. */
  async claimWatchKick(jobId: string, markerMs: number): Promise<boolean> {
    const k = jobKeys(jobId);
    return (await CLAIM_WATCH_KICK.run(this.redis, [k.meta, k.watch, k.watchKick], [Math.max(1000, Math.round(markerMs))])) === 1;
  }

  /** Cancels a running job; returns its state before ('running' when this call cancelled it), undefined if unknown. */
  async cancel(jobId: string, now = Date.now()): Promise<string | undefined> {
    const k = jobKeys(jobId);
    const others = allJobKeys(jobId).filter((key) => key !== k.meta && key !== k.partials);
    const r = await CANCEL.run(this.redis, [k.meta, k.partials, ...others], [now, TOMBSTONE_MS]);
    return typeof r === 'string' ? r : undefined;
  }

  async purgeCancelled(jobId: string): Promise<void> {
    const k = jobKeys(jobId);
    await PURGE_CANCELLED.run(this.redis, [k.meta, ...allJobKeys(jobId).filter((key) => key !== k.meta)], []);
  }
}
