// The job's state in Redis, and the only code that touches it: every key of a job (keys.ts), every field of its meta
// (meta.ts), every change one Lua script (lua/, so concurrent and repeated calls stay consistent). Every key gets the
// job's expiry time, set once at creation, so a job's keys vanish together. Reads never write.
import { commandOptions } from 'redis';
import type { JobSpec } from '../job/spec.ts';
import { isJobState, type JobState, type JobStatus } from '../job/status.ts';
import type { Range } from '../dispatch/ranges.ts';
import { storedRefOf, type ResultRef } from '../data/value-ref.ts';
import { jobEndedChannel, jobKeys } from './keys.ts';
import { META_FIELDS, decodeMeta, encodeMeta, timingsOf, type JobMeta } from './meta.ts';
import { command, type Redis } from './redis.ts';
import { scripts } from './scripts.ts';
import { subscriptionsFor } from './subscriptions.ts';
import { parseTaskRecord, type StoredTaskRecord } from './task-records.ts';

export type { JobMeta };

export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
}

/** How long `status` still answers `cancelled` for a cancelled job, ms. */
export const TOMBSTONE_MS = 60 * 60 * 1000;

const MAX_MARKS_PER_CALL = 2000;

/** Where a task was last invoked: when, and the activation the platform gave that invoke. */
export interface Dispatch {
  at: number;
  activationId: string;
}

/** Why a task is invoked again: `spec` is a speculative copy (free), the others spend the job's retry budget. */
export type ReinvokeKind = 'lost' | 'failed' | 'timeout' | 'spec';

export type RangesVerdict = { go: true; tasks: number } | { go: false; why: 'not-running' };

export type ReinvokeVerdict = { go: true; count: number } | { go: false; why: 'done' | 'not-running' | 'budget-spent' };

/** A pull-mode job's queue, as the supervisor sees it. */
export interface QueueMarks {
  /** Tasks claimed a first time (the rest, up to the total, wait for their first claim). */
  claimed: number;
  /** Tasks waiting to be claimed again. */
  requeued: number;
  /** Claimed task index -> its lease's expiry (ms). */
  leases: Map<number, number>;
  /** Worker slot -> when it was last seen (ms; 0 when it left). */
  workers: Map<number, number>;
}

/** What the supervisor looks at: every outstanding task's marks, in one read. */
export interface JobSnapshot {
  meta: JobMeta;
  done: Set<number>;
  dispatches: Map<number, Dispatch>;
  starts: Map<number, number>;
  startedBy: Map<number, string>;
  retried: Map<number, number>;
  speculated: Set<number>;
  /** Pull mode only. */
  queue?: QueueMarks;
}

/** A job's task marks as the dashboard reads them (JobStore.taskMarks). */
export interface TaskMarks {
  starts: Map<number, number>;
  startedBy: Map<number, string>;
  /** Tasks with failed attempts: how many, and the latest one's time and message. */
  failures: Map<number, { attempts: number; at: number; message: string }>;
  retried: number[];
  speculated: number[];
}

/** A pull-mode claim: the task to run, nothing left to claim, or the job's state when it no longer runs. */
export type Claim = { index: number } | { empty: true } | { ended: Exclude<JobMeta['state'], 'running'> };

export type RequeueVerdict = { requeued: true; count: number } | { requeued: false; why: 'done' | 'not-running' | 'budget-spent' };

const numberMap = (all: Record<string, string>) => new Map(Object.entries(all).map(([i, v]) => [Number(i), Number(v)]));

function dispatchMap(all: Record<string, string>): Map<number, Dispatch> {
  const out = new Map<number, Dispatch>();
  for (const [index, v] of Object.entries(all)) {
    const colon = v.indexOf(':');
    out.set(Number(index), { at: Number(v.slice(0, colon)), activationId: v.slice(colon + 1) });
  }
  return out;
}

export class JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number = 24 * 60 * 60,
  ) {}

  /** Runs one of the job's scripts; its keys come from its own key list (scripts.ts). */
  private run(script: keyof typeof scripts, jobId: string, args: Array<string | number>): Promise<unknown> {
    return scripts[script].run(this.redis, jobId, args);
  }

  private read<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    return command(() => fn(this.redis), this.redis);
  }

  // --- a job's life ---

  /**
   * Creates the job with its spec and, for a job with a data input, each task's slices (JSON, task 0 first); false if
   * a job with this id exists (nothing is changed then).
   */
  async create(jobId: string, spec: JobSpec, now = Date.now(), taskInputs: readonly string[] = []): Promise<boolean> {
    const expiresAt = now + this.ttlSeconds * 1000;
    const fields = encodeMeta({ ...spec, state: 'running', created: now, expiresAt });
    return (await this.run('create', jobId, [expiresAt, taskInputs.length, ...taskInputs, ...fields])) === 1;
  }

  /** The slices of the job's data input that task `index` reads (JSON); undefined when the job has none. */
  async taskInput(jobId: string, index: number): Promise<string | undefined> {
    return (await this.read((r) => r.hGet(jobKeys(jobId).inputs, String(index)))) ?? undefined;
  }

  /** Marks a running job failed; false if it was not running. */
  async failJob(jobId: string, error: string): Promise<boolean> {
    const r = await this.run('failJob', jobId, [error]);
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return r === 1;
  }

  /** Stores the result and marks the job done; 'stored', or 'already-done' / 'failed' when it was not running. */
  async finish(jobId: string, resultJson: string, now = Date.now()): Promise<'stored' | 'already-done' | 'failed'> {
    const r = await this.run('finish', jobId, [resultJson, now]);
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return r === 1 ? 'stored' : r === 0 ? 'already-done' : 'failed';
  }

  /** Cancels a running job; returns its state before ('running' when this call cancelled it), undefined if unknown. */
  async cancel(jobId: string, now = Date.now()): Promise<string | undefined> {
    const r = await this.run('cancel', jobId, [now, TOMBSTONE_MS]);
    return typeof r === 'string' ? r : undefined;
  }

  /** Removes whatever a late writer left beside a cancelled job's record. */
  async purgeCancelled(jobId: string): Promise<void> {
    await this.run('purgeCancelled', jobId, []);
  }

  /** Removes every key of the job (used when the job could not be started). */
  async remove(jobId: string): Promise<void> {
    await this.run('remove', jobId, []);
  }

  // --- a task's life ---

  /** Records the start of a task's attempt (time, and the activation running it); returns the job's state. */
  async startTask(jobId: string, index: number, now = Date.now(), activationId = ''): Promise<JobMeta['state']> {
    const state = await this.run('startTask', jobId, [index, now, activationId]);
    if (state === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return state as JobMeta['state'];
  }

  /** Stores a task's partial, its done mark and its record in one step; a repeated task changes nothing. */
  async completeTask(
    jobId: string,
    index: number,
    partialJson: string,
    now = Date.now(),
    record?: StoredTaskRecord,
  ): Promise<{ added: boolean; done: number; completed: boolean }> {
    const args = [index, partialJson, now, record ? JSON.stringify(record) : ''];
    const r = (await this.run('completeTask', jobId, args)) as number[] | null;
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return { added: r[0] === 1, done: r[1], completed: r[2] === 1 };
  }

  /** Counts a failed attempt (an error, or a run past the task timeout); past its retries the job fails with `error`. */
  async failTask(
    jobId: string,
    index: number,
    error: string,
    retries: number,
    now = Date.now(),
  ): Promise<{ attempts: number; failed: boolean; retry: boolean }> {
    const r = (await this.run('failTask', jobId, [index, error, retries, now])) as number[] | null;
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    return { attempts: r[0], failed: r[1] === 1, retry: r[2] === 1 };
  }

  // --- pull mode: workers claim tasks from the job's queue, holding a lease on each until it completes ---

  /** Claims the next task for worker slot `worker` with a lease of `leaseMs` (see lua/claim-task.lua). */
  async claimTask(jobId: string, worker: number, leaseMs: number, now = Date.now(), activationId = ''): Promise<Claim> {
    const r = await this.run('claimTask', jobId, [worker, now, leaseMs, activationId]);
    if (r === null) throw new UnknownJobError(`unknown job ${jobId}`);
    if (typeof r === 'string') return { ended: r as Exclude<JobMeta['state'], 'running'> };
    return (r as number) < 0 ? { empty: true } : { index: r as number };
  }

  /** Extends the worker's lease on a task it runs; false when it no longer holds it (or the job ended). */
  async renewLease(jobId: string, index: number, worker: number, leaseMs: number, now = Date.now()): Promise<boolean> {
    return (await this.run('renewLease', jobId, [index, worker, now, leaseMs])) === 1;
  }

  /** Puts a task whose attempt failed back in the queue, paid from the retry budget (see lua/requeue-task.lua). */
  async requeueTask(jobId: string, index: number, budgetError: string, now = Date.now()): Promise<RequeueVerdict> {
    const r = (await this.run('requeueTask', jobId, [index, now, budgetError])) as number[];
    if (r[0] === 1) return { requeued: true, count: r[1] };
    return { requeued: false, why: r[0] === 0 ? 'done' : r[0] === -1 ? 'not-running' : 'budget-spent' };
  }

  /** Puts tasks whose lease expired back in the queue (see lua/requeue-expired.lua); returns them. */
  async requeueExpired(jobId: string, budgetError: string, max: number, now = Date.now()): Promise<{ requeued: number[]; budgetSpent: boolean }> {
    const r = (await this.run('requeueExpired', jobId, [now, budgetError, max])) as number[];
    return { requeued: r.slice(1), budgetSpent: r[0] === -2 };
  }

  /** Queues a speculative copy of a claimed task (see lua/speculate-task.lua); true when this call queued it. */
  async speculateTask(jobId: string, index: number, now = Date.now()): Promise<boolean> {
    return (await this.run('speculateTask', jobId, [index, now])) === 1;
  }

  /** Records that worker slots were just invoked; returns the job's state (undefined: unknown job). */
  async markWorkers(jobId: string, slots: readonly number[], now = Date.now()): Promise<string | undefined> {
    const state = await this.run('markWorkers', jobId, [now, ...slots]);
    return typeof state === 'string' ? state : undefined;
  }

  // --- recovery: dispatch marks, re-invocations, the supervisor's lease, a lost reduce ---

  /**
   * Records invokes of tasks (`byCoordinator`: part of the tree's dispatch, not a re-invoke); returns the job's state
   * (undefined: unknown job), so callers can stop early.
   */
  async markDispatched(jobId: string, marks: ReadonlyArray<[number, string]>, byCoordinator = false, now = Date.now()): Promise<string | undefined> {
    let state: unknown = null;
    for (let i = 0; i === 0 || i < marks.length; i += MAX_MARKS_PER_CALL) {
      const args: Array<string | number> = [now, byCoordinator ? 1 : 0];
      for (const [index, id] of marks.slice(i, i + MAX_MARKS_PER_CALL)) args.push(index, `${now}:${id}`);
      state = await this.run('markDispatched', jobId, args);
      if (state !== 'running') break;
    }
    return typeof state === 'string' ? state : undefined;
  }

  /**
   * Whether to hand ranges no coordinator dispatched to fresh coordinators (see lua/reinvoke-ranges.lua): each range is
   * one re-sent range, free of the retry budget, and its tasks count as invoked again.
   */
  async reinvokeRanges(jobId: string, ranges: readonly Range[], now = Date.now()): Promise<RangesVerdict> {
    const r = (await this.run('reinvokeRanges', jobId, [now, ...ranges.flatMap((x) => [x.from, x.to])])) as number[];
    return r[0] === 1 ? { go: true, tasks: r[1] } : { go: false, why: 'not-running' };
  }

  /**
   * Whether to invoke a task again (see lua/reinvoke.lua); `seen` is the dispatch mark the caller judged, so that a
   * task invoked again since it looked is left alone.
   */
  async reinvoke(jobId: string, index: number, kind: ReinvokeKind, budgetError: string, seen?: Dispatch, now = Date.now()): Promise<ReinvokeVerdict> {
    const mark = seen ? `${seen.at}:${seen.activationId}` : '';
    const r = (await this.run('reinvoke', jobId, [index, kind, now, budgetError, mark])) as number[];
    if (r[0] === 1) return { go: true, count: r[1] };
    return { go: false, why: r[0] === 0 ? 'done' : r[0] === -1 ? 'not-running' : 'budget-spent' };
  }

  /** Whether the caller should start a reduce that seems lost (see lua/claim-reduce-kick.lua). */
  async claimReduceKick(jobId: string, graceMs: number, now = Date.now()): Promise<boolean> {
    return (await this.run('claimReduceKick', jobId, [now, graceMs])) === 1;
  }

  async holdLease(jobId: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.run('holdLease', jobId, [holder, Math.max(1000, Math.round(ttlMs))])) === 1;
  }

  async releaseLease(jobId: string, holder: string): Promise<void> {
    await this.run('releaseLease', jobId, [holder]);
  }

  /** Whether the caller should start a supervisor: the job runs, none holds its lease, none was started lately. */
  async claimSupervisorStart(jobId: string, markerMs: number): Promise<boolean> {
    return (await this.run('claimSupervisorStart', jobId, [Math.max(1000, Math.round(markerMs))])) === 1;
  }

  // --- reads ---

  /** The job's state; undefined for an unknown (or expired) job. */
  async state(jobId: string): Promise<JobState | undefined> {
    const state = await this.read((r) => r.hGet(jobKeys(jobId).meta, 'state'));
    return isJobState(state) ? state : undefined;
  }

  /**
   * Waits until the job has left `running`, or `ms` have passed, and answers its state then (undefined: unknown job).
   * The end comes from the job's `ended` channel; the state is read once more after subscribing, so an end that
   * came just before is not missed. Subscribing is a read: nothing is written.
   */
  async waitForEnd(jobId: string, ms: number): Promise<JobState | undefined> {
    const subs = await subscriptionsFor(this.redis);
    let onMessage!: (message: string) => void;
    const message = new Promise<string>((resolve) => (onMessage = resolve));
    const stop = await command(() => subs.listen(jobEndedChannel(jobId), onMessage), subs.connection);
    let timer: NodeJS.Timeout | undefined;
    try {
      const state = await this.state(jobId);
      if (state !== 'running') return state;
      const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))));
      const published = await Promise.race([message, timeout]);
      if (published === undefined) return 'running';
      return isJobState(published) ? published : await this.state(jobId);
    } finally {
      clearTimeout(timer);
      stop();
    }
  }


  async meta(jobId: string, withParams = true): Promise<JobMeta | undefined> {
    const fields = withParams ? META_FIELDS : META_FIELDS.filter((f) => f !== 'params');
    const values = await this.read((r) => r.hmGet(jobKeys(jobId).meta, fields));
    return decodeMeta(fields, values);
  }

  async status(jobId: string): Promise<JobStatus | undefined> {
    const meta = await this.meta(jobId, false);
    if (!meta) return undefined;
    const k = jobKeys(jobId);
    // A cancelled job's keys are gone but for its record, which keeps the count it had.
    const done = meta.state === 'cancelled' ? (meta.done ?? 0) : await this.doneCount(jobId);
    const status: JobStatus = { jobId, state: meta.state, done, total: meta.total, kernel: meta.kernel };
    if (meta.state === 'cancelled') return status;
    status.retries = {
      tasks: await this.read((r) => r.hLen(k.retried)),
      invocations: meta.reinvokes ?? 0,
      resentRanges: meta.resentRanges ?? 0,
      speculative: meta.speculated ?? 0,
      budget: meta.retryBudget,
    };
    if (meta.state === 'done') {
      const json = await this.resultJson(jobId);
      const ref = json === undefined ? undefined : storedRefOf<ResultRef>(json);
      if (ref) status.resultRef = ref;
      else status.result = json === undefined ? null : JSON.parse(json);
    }
    if (meta.state === 'failed') status.error = meta.error ?? 'the job failed';
    if (meta.state !== 'running') status.timings = timingsOf(meta);
    return status;
  }

  async doneCount(jobId: string): Promise<number> {
    return this.read((r) => r.hLen(jobKeys(jobId).partials));
  }

  /** All partials as stored (JSON, or a reference to it in the object store), ordered by task index. */
  async partials(jobId: string): Promise<Array<{ index: number; partial: string }>> {
    const all = await this.read((r) => r.hGetAll(jobKeys(jobId).partials));
    return Object.entries(all)
      .map(([index, partial]) => ({ index: Number(index), partial }))
      .sort((a, b) => a.index - b.index);
  }

  /** The result as stored: its JSON, or a reference to it in the object store (pipeline/data/value-ref.ts). */
  async resultJson(jobId: string): Promise<string | undefined> {
    return (await this.read((r) => r.get(jobKeys(jobId).result))) ?? undefined;
  }

  /** The done tasks as a bitmap, task i at bit (7 - i % 8) of byte floor(i / 8); empty before the first is done. */
  async doneBitmap(jobId: string): Promise<Buffer> {
    const bits = await this.read((r) => r.get(commandOptions({ returnBuffers: true }), jobKeys(jobId).doneBits));
    return bits ?? Buffer.alloc(0);
  }

  /** Which of `indices` are done: one read of the bitmap's bytes that cover them. */
  async doneAmong(jobId: string, indices: readonly number[]): Promise<Set<number>> {
    const done = new Set<number>();
    if (indices.length === 0) return done;
    const first = Math.floor(Math.min(...indices) / 8);
    const last = Math.floor(Math.max(...indices) / 8);
    const bytes = await this.read((r) => r.getRange(commandOptions({ returnBuffers: true }), jobKeys(jobId).doneBits, first, last));
    for (const i of indices) {
      const byte = bytes[Math.floor(i / 8) - first];
      if (byte !== undefined && (byte >> (7 - (i % 8))) & 1) done.add(i);
    }
    return done;
  }

  /** The record of each counted task, by task index (tasks done without one are left out). */
  async taskRecords(jobId: string): Promise<Map<number, StoredTaskRecord>> {
    const all = await this.read((r) => r.hGetAll(jobKeys(jobId).tasks));
    const out = new Map<number, StoredTaskRecord>();
    for (const [index, json] of Object.entries(all)) {
      const r = parseTaskRecord(json);
      if (r) out.set(Number(index), r);
    }
    return out;
  }

  /** The records of the tasks `indices` (those without one are left out). */
  async taskRecordsOf(jobId: string, indices: readonly number[]): Promise<Map<number, StoredTaskRecord>> {
    const out = new Map<number, StoredTaskRecord>();
    if (indices.length === 0) return out;
    const values = await this.read((r) => r.hmGet(jobKeys(jobId).tasks, indices.map(String)));
    values.forEach((json, i) => {
      const r = json ? parseTaskRecord(json) : undefined;
      if (r) out.set(indices[i]!, r);
    });
    return out;
  }

  /** What the dashboard shows beside the records: each task's latest start, failures, re-runs and speculative copies. */
  async taskMarks(jobId: string): Promise<TaskMarks> {
    const k = jobKeys(jobId);
    const [starts, startedBy, attempts, errors, retried, speculated] = await Promise.all([
      this.read((r) => r.hGetAll(k.starts)),
      this.read((r) => r.hGetAll(k.startedBy)),
      this.read((r) => r.hGetAll(k.attempts)),
      this.read((r) => r.hGetAll(k.taskErrors)),
      this.read((r) => r.hKeys(k.retried)),
      this.read((r) => r.hKeys(k.speculated)),
    ]);
    const failures = new Map<number, { attempts: number; at: number; message: string }>();
    for (const [index, n] of Object.entries(attempts)) {
      const raw = errors[index] ?? '';
      const colon = raw.indexOf(':');
      failures.set(Number(index), { attempts: Number(n), at: colon > 0 ? Number(raw.slice(0, colon)) : 0, message: raw.slice(colon + 1) });
    }
    return {
      starts: numberMap(starts),
      startedBy: new Map(Object.entries(startedBy).map(([i, id]) => [Number(i), id])),
      failures,
      retried: retried.map(Number),
      speculated: speculated.map(Number),
    };
  }

  /** Whether a supervisor holds the job's lease. */
  async leaseHeld(jobId: string): Promise<boolean> {
    return (await this.read((r) => r.exists(jobKeys(jobId).lease))) === 1;
  }

  /** The marks of every task, for the supervisor's decisions; undefined for an unknown job. */
  async snapshot(jobId: string): Promise<JobSnapshot | undefined> {
    const k = jobKeys(jobId);
    const [meta, done, dispatched, starts, startedBy, retried, speculated] = await Promise.all([
      this.meta(jobId, false),
      this.read((r) => r.hKeys(k.partials)),
      this.read((r) => r.hGetAll(k.dispatched)),
      this.read((r) => r.hGetAll(k.starts)),
      this.read((r) => r.hGetAll(k.startedBy)),
      this.read((r) => r.hGetAll(k.retried)),
      this.read((r) => r.hKeys(k.speculated)),
    ]);
    if (!meta) return undefined;
    return {
      ...(meta.mode === 'pull' ? { queue: await this.queueMarks(jobId) } : {}),
      meta,
      done: new Set(done.map(Number)),
      dispatches: dispatchMap(dispatched),
      starts: numberMap(starts),
      startedBy: new Map(Object.entries(startedBy).map(([i, id]) => [Number(i), id])),
      retried: numberMap(retried),
      speculated: new Set(speculated.map(Number)),
    };
  }

  private async queueMarks(jobId: string): Promise<QueueMarks> {
    const k = jobKeys(jobId);
    const [claimed, requeued, leases, workers] = await Promise.all([
      this.read((r) => r.get(k.claimNext)),
      this.read((r) => r.lLen(k.requeued)),
      this.read((r) => r.zRangeWithScores(k.leases, 0, -1)),
      this.read((r) => r.hGetAll(k.workers)),
    ]);
    return {
      claimed: Number(claimed ?? 0),
      requeued,
      leases: new Map(leases.map(({ value, score }) => [Number(value), score])),
      workers: numberMap(workers),
    };
  }

  /** Run times (ms) of up to `n` done tasks picked at random, from their task records. */
  async sampleDurations(jobId: string, n: number): Promise<number[]> {
    const raw = (await this.read((r) => r.sendCommand(['HRANDFIELD', jobKeys(jobId).tasks, String(n), 'WITHVALUES']))) as string[] | null;
    const out: number[] = [];
    for (let i = 1; i < (raw?.length ?? 0); i += 2) {
      const r = parseTaskRecord(raw![i]);
      if (r) out.push(Math.max(0, r.end - r.start));
    }
    return out;
  }
}
