// A shuffle job runs in two stages, each a job of the store with the same task queue, leases, retries and supervisor:
//
//   map     the request's job: each task runs the kernel's `work` over its slice and writes its rows, hash-partitioned
//           by the key, as one object per non-empty partition under jobs/JOB/shuffle/map-TASK/attempt-A/. Its partial
//           names attempt A: stored with the task's done mark in one step, so the first attempt to complete is the one
//           committed, and a retried or duplicated attempt's objects are never read. A sort (`sortBy`) writes one sorted
//           run per task instead, and its reduce stage reads key ranges of them (sort-stages.ts).
//   reduce  a job of R tasks (its id derived from the map job's, so it is created once however often the map job's
//           reduce runs): task r reads partition r of every committed map attempt, runs `reducePartition`, and writes
//           part r as an attempt object under the output's _temporary/MAPJOB/; its partial names the attempt.
//
// When the reduce stage completes, its reduce commits: each part's committed attempt is copied to part-RRRRR.EXT, then
// the manifest is written, last, so no reader sees a half-written dataset; both jobs end with the dataset as result,
// and then the attempts and partitions are removed. A shuffle that fails or is cancelled has them removed too.
import { randomBytes } from 'node:crypto';
import type { AnyKernel, PartFormat, Row, Rows, TaskRef } from '../../kernels/types.ts';
import { partialValues } from '../run/large-values.ts';
import type { JobSpec } from '../job/spec.ts';
import { sibling } from '../openwhisk/names.ts';
import { deadline, invokeAsync } from '../openwhisk/ow.ts';
import { boundedMap } from '../dispatch/pool.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { JobMeta, JobStore } from '../store/job-store.ts';
import { ensureSupervisor } from '../supervisor/remedies.ts';
import { MANIFEST_NAME, TEMPORARY_DIR, partName, type DatasetManifest } from './dataset.ts';
import { decodePartition, encodePart, encodePartition, partitionRows, rowsOf, RowsError } from './rows.ts';
import { readRange, runObjectKey, sortedPart, splitsOf, writeRun, type SortedRun, type SortMapOutput } from './sort-stages.ts';
import { sortByText } from './sort.ts';
import { datasetUrl, reduceJobIdOf, type DatasetLocation, type ShuffleSpec } from './spec.ts';
import { ShuffleStoreError, shuffleObjectsFor, type ShuffleObjects, type StoreCounts } from './store-objects.ts';

/** Objects read or written at once by one task. */
const IO_IN_FLIGHT = 8;

/** A map task's partial: the attempt whose objects count, and the rows (and bytes) of each partition it wrote. */
export interface MapPartial {
  /** A sort's task: one run (`rows` and `bytes` of one entry), with its index. */
  shuffle: { attempt: string; table: string; rows: number[]; bytes: number[]; run?: SortedRun };
}

/** A reduce task's partial: its part's attempt object, with what it holds and what the task read. */
export interface ReducePartial {
  part: number;
  attemptKey: string;
  rows: number;
  bytes: number;
  columns: string[];
  types?: string[];
  read: { gets: number; bytes: number };
}

export function parseShuffle(meta: Pick<JobMeta, 'shuffle'>): ShuffleSpec | undefined {
  return meta.shuffle ? (JSON.parse(meta.shuffle) as ShuffleSpec) : undefined;
}

function mapObjectKey(mapJob: string, task: number, attempt: string, part: number): string {
  return `${mapPrefix(mapJob)}map-${task}/attempt-${attempt}/part-${part}`;
}

/** Where the map stage's partitions go, in the results bucket. */
const mapPrefix = (mapJob: string) => `jobs/${mapJob}/shuffle/`;

/** Where the reduce tasks' attempts at parts go, under the output: a folder per job, so a job removes only its own. */
const temporaryPrefix = (at: DatasetLocation, mapJob: string) => `${at.prefix}${TEMPORARY_DIR}${mapJob}/`;

function storeOf(actionParams: Record<string, unknown>): ShuffleObjects {
  const store = shuffleObjectsFor(actionParams);
  if (!store) throw new Error('a shuffle job needs the object store (AWS_* settings), and this action has none');
  return store;
}

const newAttempt = () => randomBytes(6).toString('hex');

function outputOf(shuffle: ShuffleSpec): { at: DatasetLocation; format: PartFormat } {
  if (!shuffle.output || !shuffle.format) throw new Error('the shuffle job was created without its output');
  return { at: shuffle.output, format: shuffle.format };
}

/**
 * The kernel as a shuffle job's tasks run it: `work` of the map stage writes the task's partitions and answers a
 * MapPartial; `work` of the reduce stage reduces one partition into a part and answers a ReducePartial.
 */
export function shuffleKernel(kernel: AnyKernel, shuffle: ShuffleSpec, jobId: string, bucket: string, actionParams: Record<string, unknown>, store: JobStore): AnyKernel {
  if (!kernel.reducePartition) throw new Error(`kernel '${kernel.name}' cannot run a shuffle job (it has no reducePartition)`);
  const objects = () => storeOf(actionParams);
  const work = shuffle.mapJob === undefined
    ? (params: unknown, task: TaskRef, inputs: unknown) => mapTask(kernel, shuffle, jobId, bucket, objects(), store, params, task, inputs)
    : (params: unknown, task: TaskRef) => reduceTask(kernel, shuffle, jobId, bucket, objects(), actionParams, store, params, task.index);
  return { ...kernel, work } as AnyKernel;
}

async function mapTask(kernel: AnyKernel, shuffle: ShuffleSpec, jobId: string, bucket: string, objects: ShuffleObjects, store: JobStore, params: unknown, task: TaskRef, inputs: unknown): Promise<MapPartial> {
  const table = task.table ?? task.input?.table ?? 'input';
  const what = `task ${task.index}'s rows (${table})`;
  const rows = rowsOf(await kernel.work(params, task, inputs as never), what);
  const attempt = newAttempt();
  if (shuffle.sort) {
    const key = runObjectKey(jobId, task.index, attempt);
    let run: SortMapOutput | undefined;
    await writeAttempt(store, jobId, objects, bucket, [key], async () => {
      run = await writeRun(shuffle, objects, bucket, key, rows, what);
    });
    return { shuffle: { attempt, table, ...run! } };
  }
  const parts = partitionRows(rows, shuffle.key, shuffle.reducers, what);
  const bytes = parts.map(() => 0);
  const keys = parts.map((part, r) => (part.length > 0 ? mapObjectKey(jobId, task.index, attempt, r) : '')).filter((k) => k !== '');
  await writeAttempt(store, jobId, objects, bucket, keys, async () => {
    const { errors } = await boundedMap(parts.map((part, r) => ({ part, r })), IO_IN_FLIGHT, async ({ part, r }) => {
      if (part.length === 0) return;
      const body = encodePartition(table, rows, part);
      await objects.put(bucket, mapObjectKey(jobId, task.index, attempt, r), body, 'application/x-ndjson');
      bytes[r] = body.length;
    });
    if (errors.length > 0) throw errors[0];
  });
  return { shuffle: { attempt, table, rows: parts.map((p) => p.length), bytes } };
}

/**
 * Writes an attempt's objects (`keys`), kept only while its job runs. A write that fails leaves none of them (a PUT
 * the store answered with an error may have stored the object all the same). A job cancelled, failed or done
 * meanwhile has had its shuffle's objects removed already (discardShuffle, tidyShuffle: both run after the job's end),
 * or will never read these: the task removes its own.
 */
async function writeAttempt(store: JobStore, jobId: string, objects: ShuffleObjects, bucket: string, keys: string[], write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    await objects.remove(bucket, keys).catch(() => {});
    throw err;
  }
  const meta = await store.meta(jobId, false);
  if (meta?.state === 'running') return;
  await objects.remove(bucket, keys).catch(() => {});
  throw new Error(`job ${jobId} is ${meta?.state ?? 'gone'}: this attempt's objects were removed`);
}

/** The map stage's committed partials, per container (they do not change once the stage is done). */
const committed = new Map<string, Promise<MapPartial[]>>();

function committedMaps(store: JobStore, mapJob: string, actionParams: Record<string, unknown>): Promise<MapPartial[]> {
  let hit = committed.get(mapJob);
  if (!hit) {
    hit = (async () => {
      const meta = await store.meta(mapJob, false);
      const partials = await store.partials(mapJob);
      // A map stage cancelled or gone has lost its partials: a reduce over what is left would lose rows.
      if (meta?.state !== 'running' || partials.length !== meta.total) {
        throw new Error(`the map stage (job ${mapJob}) is ${meta?.state ?? 'gone'}, with ${partials.length} of ${meta?.total ?? '?'} map tasks' partials`);
      }
      const values = (await partialValues(actionParams, partials)) as MapPartial[];
      return values.map((v, i) => ({ ...v, index: partials[i].index }));
    })();
    hit.catch(() => committed.delete(mapJob));
    committed.set(mapJob, hit);
    if (committed.size > 8) committed.delete(committed.keys().next().value as string);
  }
  return hit;
}

async function reduceTask(kernel: AnyKernel, shuffle: ShuffleSpec, jobId: string, bucket: string, objects: ShuffleObjects, actionParams: Record<string, unknown>, store: JobStore, params: unknown, part: number): Promise<ReducePartial> {
  const mapJob = shuffle.mapJob!;
  const maps = (await committedMaps(store, mapJob, actionParams)) as Array<MapPartial & { index: number }>;
  const { tables, gets, bytes: readBytes } = shuffle.sort
    ? await readRange(shuffle, objects, bucket, maps.map((m) => ({ task: m.index, attempt: m.shuffle.attempt, table: m.shuffle.table, rows: m.shuffle.rows[0], bytes: m.shuffle.bytes[0], run: m.shuffle.run! })), part, IO_IN_FLIGHT)
    : await readPartition(objects, bucket, mapJob, maps, part);
  const reduced = rowsOf(await kernel.reducePartition!(params, tables, { index: part, count: shuffle.reducers }), `partition ${part}'s reduce`);
  const out = shuffle.sort ? sortedPart(shuffle, reduced, part) : reduced;
  const { at, format } = outputOf(shuffle);
  const body = format === 'parquet' ? await writeParquet(kernel, out) : encodePart(out, format);
  const attemptKey = `${temporaryPrefix(at, mapJob)}${partName(part, format)}.${newAttempt()}`;
  await writeAttempt(store, jobId, objects, at.bucket, [attemptKey], () => objects.put(at.bucket, attemptKey, body));
  return { part, attemptKey, rows: out.rows.length, bytes: body.length, columns: out.columns, ...(out.types ? { types: out.types } : {}), read: { gets, bytes: readBytes } };
}

/** Partition `part` of every committed map attempt, by table, in map-task order. */
async function readPartition(objects: ShuffleObjects, bucket: string, mapJob: string, maps: Array<MapPartial & { index: number }>, part: number): Promise<{ tables: Record<string, Row[]>; gets: number; bytes: number }> {
  const tables: Record<string, Row[]> = {};
  for (const m of maps) tables[m.shuffle.table] ??= [];
  let gets = 0;
  let readBytes = 0;
  const wanted = maps.filter((m) => m.shuffle.rows[part] > 0);
  const read: Array<ReturnType<typeof decodePartition>> = new Array(wanted.length);
  const { errors } = await boundedMap(wanted.map((m, i) => ({ m, i })), IO_IN_FLIGHT, async ({ m, i }) => {
    const key = mapObjectKey(mapJob, m.index, m.shuffle.attempt, part);
    const bytes = await objects.get(bucket, key);
    gets++;
    readBytes += bytes.length;
    read[i] = decodePartition(bytes, `s3://${bucket}/${key}`);
  });
  if (errors.length > 0) throw errors[0];
  // In map-task order, so a part's rows come out the same whichever attempt reads them.
  for (const p of read) for (const row of p.rows) tables[p.table].push(row);
  return { tables, gets, bytes: readBytes };
}

async function writeParquet(kernel: AnyKernel, rows: Rows): Promise<Uint8Array> {
  if (!kernel.writePart) throw new RowsError(`kernel '${kernel.name}' cannot write Parquet parts; use outputFormat csv or jsonl`);
  return kernel.writePart(rows, 'parquet');
}

// --- the stage between: the map stage's reduce starts the reduce stage, or ends the job as that stage ended ---

/** The reduce stage's spec, from the map stage's meta (a sort's with its split points). */
function reduceStageSpec(meta: JobMeta, shuffle: ShuffleSpec, mapJob: string): JobSpec {
  const spec = {} as Record<string, unknown>;
  for (const f of ['kernel', 'kernelAction', 'kernelControl', 'params', 'fanout', 'leafSize', 'concurrency', 'taskWindow', 'retries', 'taskTimeoutMs', 'speculation', 'supervisorMs', 'probeAfterMs', 'startTimeoutMs', 'leaseMs', 'ioTasksPerWorker', 'allowHosts', 'inlineResultBytes', 'resultsBucket', 'input'] as const) {
    if (meta[f] !== undefined) spec[f] = meta[f];
  }
  return {
    ...(spec as unknown as JobSpec),
    total: shuffle.reducers,
    workers: Math.max(1, Math.min(meta.workers, shuffle.reducers)),
    retryBudget: Math.max(20, meta.retryBudget),
    shuffle: JSON.stringify({ ...shuffle, mapJob }),
  };
}

/**
 * The map stage's reduce: starts the reduce stage once; when it has ended, ends the map job as it ended (its commit
 * ends both, but a commit cut short between the two is finished here). Run again by the supervisor while the reduce
 * stage runs, it changes nothing.
 */
export async function advanceMapStage(store: JobStore, jobId: string, meta: JobMeta, shuffle: ShuffleSpec, actionParams: Record<string, unknown>): Promise<Record<string, unknown>> {
  const stageId = reduceJobIdOf(jobId);
  const stage = await store.meta(stageId, false);
  if (stage?.state === 'failed') {
    await store.failJob(jobId, `reduce stage: ${stage.error ?? 'failed'}`);
    return { jobId, state: 'failed', reduceJob: stageId };
  }
  if (stage?.state === 'cancelled') {
    await store.failJob(jobId, 'reduce stage: cancelled');
    return { jobId, state: 'failed', reduceJob: stageId };
  }
  if (stage?.state === 'done') {
    const result = await store.resultJson(stageId);
    if (result !== undefined) await store.finish(jobId, result);
    return { jobId, state: 'done', reduceJob: stageId };
  }
  if (stage) return { jobId, state: 'running', reduceJob: stageId };
  // A sort's split points, fixed here once: the stage is created at most once, with them in its spec.
  const staged = shuffle.sort ? { ...shuffle, splits: splitsOf(shuffle, (await committedMaps(store, jobId, actionParams)).flatMap((m) => (m.shuffle.run ? [m.shuffle.run] : []))) } : shuffle;
  if (await store.create(stageId, reduceStageSpec(meta, staged, jobId))) {
    // A cancel of the map job that came before the stage existed could not cancel it: the stage goes the same way.
    if ((await store.meta(jobId, false))?.state !== 'running') {
      await store.cancel(stageId);
      return { jobId, state: 'cancelled', reduceJob: stageId };
    }
    try {
      await invokeAsync(sibling('split'), { jobId: stageId }, { deadline: deadline(3000) });
    } catch (err) {
      await store.failJob(stageId, `could not start the reduce stage: ${errorMessage(err)}`);
      await store.failJob(jobId, `could not start the reduce stage: ${errorMessage(err)}`);
      return { jobId, state: 'failed', error: errorMessage(err) };
    }
    await ensureSupervisor(store, stageId, deadline(2000)).catch(() => false);
  }
  return { jobId, state: 'running', reduceJob: stageId, started: true };
}

/** How long after a reduce stage's last task ended a commit the object store failed is tried again, ms. */
export const COMMIT_RETRY_MS = 120_000;

/**
 * Whether a failed commit is left for the supervisor to run again (it restarts a reduce that did not end its job)
 * rather than failing the job: the store failed it, and not for longer than COMMIT_RETRY_MS. Committing again is
 * safe: every step is a copy, a PUT or a delete of the same objects, and a manifest of this job's own is its end.
 */
export function commitRetryable(err: unknown, meta: Pick<JobMeta, 'lastEnd' | 'created'>, now = Date.now()): boolean {
  return err instanceof ShuffleStoreError && now - (meta.lastEnd ?? meta.created) < COMMIT_RETRY_MS;
}

/** The result both stages end with. */
function datasetResult(at: DatasetLocation, manifest: DatasetManifest): Record<string, unknown> {
  const { format, parts, rows, bytes, columns, shuffle, sortBy } = manifest;
  return { dataset: datasetUrl(at), manifest: `${datasetUrl(at)}${MANIFEST_NAME}`, ...(sortBy ? { sortBy } : {}), format, parts: parts.length, rows, bytes, columns, shuffle };
}

/** The manifest the output holds, if it is one. */
async function manifestAt(objects: ShuffleObjects, at: DatasetLocation): Promise<DatasetManifest | undefined> {
  try {
    const manifest = JSON.parse((await objects.get(at.bucket, `${at.prefix}${MANIFEST_NAME}`)).toString('utf8')) as DatasetManifest;
    return manifest && typeof manifest === 'object' && Array.isArray(manifest.parts) ? manifest : undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * The reduce stage's reduce: commits the dataset (each part's committed attempt copied to its name, then the
 * manifest), removes what is left (tidyShuffle), and answers the result both jobs end with. Run again after the
 * manifest was written, it finds its own manifest and answers the same.
 */
export async function commitDataset(store: JobStore, shuffle: ShuffleSpec, bucket: string, actionParams: Record<string, unknown>, jobId: string): Promise<unknown> {
  const objects = storeOf(actionParams);
  const mapJob = shuffle.mapJob!;
  const { at, format } = outputOf(shuffle);
  const manifestKey = `${at.prefix}${MANIFEST_NAME}`;
  if (await objects.exists(at.bucket, manifestKey)) {
    const existing = await manifestAt(objects, at);
    if (existing?.job === mapJob) return datasetResult(at, existing);
    if (!shuffle.overwrite) throw new Error(`${datasetUrl(at)} already holds a dataset (give overwrite to replace it)`);
    await objects.remove(at.bucket, [manifestKey]);
  }
  const partials = (await partialValues(actionParams, await store.partials(jobId))) as ReducePartial[];
  partials.sort((a, b) => a.part - b.part);
  const maps = await committedMaps(store, mapJob, actionParams);
  const { errors } = await boundedMap(partials, IO_IN_FLIGHT, (p) => objects.copy(at.bucket, p.attemptKey, `${at.prefix}${partName(p.part, format)}`));
  if (errors.length > 0) throw errors[0];
  const first = partials.find((p) => p.rows > 0) ?? partials[0];
  const shuffled: StoreCounts = {
    puts: maps.reduce((n, m) => n + m.shuffle.rows.filter((r) => r > 0).length, 0),
    bytesWritten: maps.reduce((n, m) => n + m.shuffle.bytes.reduce((a, b) => a + b, 0), 0),
    gets: partials.reduce((n, p) => n + p.read.gets, 0),
    bytesRead: partials.reduce((n, p) => n + p.read.bytes, 0),
  };
  const manifest: DatasetManifest = {
    format,
    columns: first?.columns ?? [],
    ...(first?.types ? { types: first.types } : {}),
    partitionBy: shuffle.key,
    ...(shuffle.sort ? { sortBy: sortByText(shuffle.sort) } : {}),
    parts: partials.map((p) => ({ name: partName(p.part, format), rows: p.rows, bytes: p.bytes })),
    rows: partials.reduce((n, p) => n + p.rows, 0),
    bytes: partials.reduce((n, p) => n + p.bytes, 0),
    job: mapJob,
    shuffle: shuffled,
  };
  // A stage cancelled while it committed writes no manifest (a cancel after this point finds the dataset whole).
  if ((await store.meta(jobId, false))?.state !== 'running') throw new Error(`job ${jobId} ended while its dataset was committed`);
  await objects.put(at.bucket, manifestKey, Buffer.from(JSON.stringify(manifest, null, 2)), 'application/json');
  // Tidied now, so that the job ends with its dataset alone, and again once it has ended (reduce.ts).
  await tidyShuffle(shuffle, bucket, actionParams).catch(() => {});
  return datasetResult(at, manifest);
}

/**
 * After a commit: the parts' attempts, an earlier dataset's extra parts, and the map stage's partitions are removed.
 * Run once more after both jobs are done, for what a late attempt wrote meanwhile (an attempt writing after that finds
 * its job ended and removes its own).
 */
export async function tidyShuffle(shuffle: ShuffleSpec, bucket: string, actionParams: Record<string, unknown>): Promise<void> {
  const objects = storeOf(actionParams);
  const { at, format } = outputOf(shuffle);
  const keep = new Set([MANIFEST_NAME, ...Array.from({ length: shuffle.reducers }, (_, r) => partName(r, format))].map((name) => `${at.prefix}${name}`));
  // Top-level objects only: a dataset's parts are; `_temporary/` goes whole (the dataset at this prefix is this one).
  const stale = (await objects.list(at.bucket, at.prefix)).filter((k) => !keep.has(k) && !k.slice(at.prefix.length).includes('/'));
  const temporary = await objects.list(at.bucket, `${at.prefix}${TEMPORARY_DIR}`);
  await objects.remove(at.bucket, [...stale, ...temporary]);
  await objects.remove(bucket, await objects.list(bucket, mapPrefix(shuffle.mapJob!)));
}

/**
 * A shuffle that ended without its dataset (failed, cancelled): its map partitions and its parts' attempts are removed.
 * Run by the kernel's reduce for a shuffle job that ended so (the supervisor and the cancel ask for it); a task that
 * writes after this removes its own objects (writeAttempt).
 */
export async function discardShuffle(shuffle: ShuffleSpec, jobId: string, bucket: string, actionParams: Record<string, unknown>): Promise<{ removed: number }> {
  const objects = storeOf(actionParams);
  const mapJob = shuffle.mapJob ?? jobId;
  const keys = await objects.list(bucket, mapPrefix(mapJob));
  await objects.remove(bucket, keys);
  let temporary: string[] = [];
  if (shuffle.output) {
    temporary = await objects.list(shuffle.output.bucket, temporaryPrefix(shuffle.output, mapJob));
    await objects.remove(shuffle.output.bucket, temporary);
  }
  return { removed: keys.length + temporary.length };
}
