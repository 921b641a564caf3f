// A job's data input (`input`: s3:// objects or prefixes, http(s) URLs; `chunkSize` or `tasks`), at its two ends:
// when the job is created its objects are listed once and cut into one slice list per task (pipeline/data/), which the
// job store keeps beside the meta; when a task runs, its slices become the kernel's `records`, `batches` and `chunks`.
import type { TaskRef, WholeInput } from '../../kernels/types.ts';
import { DataAccess } from './data-access.ts';
import { DataReadError, InputSpecError } from './errors.ts';
import { parseDataInput, sourceName, type DataSource } from './input-spec.ts';
import { hiddenInDataset } from '../shuffle/dataset.ts';
import type { ObjectInfo, ObjectSlice, TaskInput } from './objects.ts';
import { parsePartitionBy, partitionObjects } from './partition.ts';
import { cutByRowGroups, namedParquet } from './parquet-cut.ts';
import { namedCsv, readCsvHeader } from './csv-header.ts';
import { readChunks, readRecordBatches, readRecords } from './record-reader.ts';
import { readS3Settings } from './s3-settings.ts';
import { HttpError } from '../openwhisk/http.ts';
import { inputError } from './input-error.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { JobRequest } from '../job/spec.ts';

/** Bytes per task when a job names an input but neither `chunkSize` nor `tasks`. */
export const DEFAULT_CHUNK_SIZE = '64MiB';

export interface PlannedInput {
  /** The sources as the request named them, for the job's meta (JSON list). */
  sources: string;
  /** Each task's slices, task 0 first. */
  tasks: TaskInput[];
}

/** What a job's input was cut into, as the dashboard shows it. */
export interface InputSummary {
  objects: number;
  /** Bytes of every object whose size is known. */
  bytes: number;
  /** The largest task's share, bytes (the chunk size, give or take a record). */
  bytesPerTask: number;
  tasks: number;
}

function sliceBytes(s: { start: number; end?: number; size?: number }): number {
  return Math.max(0, (s.end ?? s.size ?? s.start) - s.start);
}

export function summarizeInput(tasks: readonly TaskInput[]): InputSummary {
  const sizes = new Map<string, number>();
  let bytesPerTask = 0;
  for (const t of tasks) {
    let bytes = 0;
    for (const s of t.slices) {
      sizes.set(s.object, s.size ?? Math.max(sizes.get(s.object) ?? 0, s.end ?? 0));
      bytes += sliceBytes(s);
    }
    bytesPerTask = Math.max(bytesPerTask, bytes);
  }
  let bytes = 0;
  for (const size of sizes.values()) bytes += size;
  return { objects: sizes.size, bytes, bytesPerTask, tasks: tasks.length };
}

/** The deployment's data access: S3 from the action's bound AWS_* parameters, URLs held to `allowHosts`. */
export function dataAccessFor(actionParams: Record<string, unknown>, allowHosts: string): DataAccess {
  return new DataAccess({ s3: readS3Settings(actionParams), allowHosts });
}

/**
 * The request's data input (`input`, or a kernel's input param: spec.ts) listed and cut into tasks; undefined when it
 * names none. Anything wrong with it, from a malformed field to an object that cannot be listed (missing, empty,
 * unreachable, access denied, refused by the URL guard), is a 400 naming it, before the job exists.
 */
export async function cutJobInput(request: Pick<JobRequest, 'input' | 'chunkSize' | 'tasks'> & { params?: Record<string, unknown> }, access: () => DataAccess): Promise<PlannedInput | undefined> {
  const { input, chunkSize, tasks } = request;
  if (input === undefined) {
    if (chunkSize !== undefined) throw new HttpError(400, "'chunkSize' needs an 'input' to cut");
    return undefined;
  }
  try {
    const by = parsePartitionBy(chunkSize === undefined && tasks === undefined ? { chunkSize: DEFAULT_CHUNK_SIZE } : { chunkSize, tasks });
    // A Parquet object's byte slices become the row groups that start in them (its footer read once, here).
    const isParquet = parquetBy(request.params?.format);
    // A CSV input's header, read once here, names its columns for every task's record batches.
    const isCsv = csvBy(request.params?.format);
    const cut = async (objects: ObjectInfo[]) => {
      const tasks = await cutByRowGroups(access(), objects, partitionObjects(objects, by), isParquet);
      const first = objects.find((o) => o.size !== 0);
      const columns = first && isCsv(first.name) ? await readCsvHeader(access(), first) : undefined;
      return columns ? tasks.map((task) => ({ ...task, columns })) : tasks;
    };
    const named = namedInputs(input);
    if (!named) {
      const sources = parseDataInput(input);
      return { sources: JSON.stringify(sources.map(sourceName)), tasks: await cut(await listData(access(), sources)) };
    }
    const planned: PlannedInput = { sources: '', tasks: [] };
    const names: Record<string, string[]> = {};
    for (const [table, raw] of Object.entries(named)) {
      const sources = parseDataInput(raw, `input ${table}`);
      names[table] = sources.map(sourceName);
      for (const task of await cut(await listData(access(), sources))) planned.tasks.push({ ...task, table });
    }
    planned.sources = JSON.stringify(names);
    return planned;
  } catch (err) {
    if (err instanceof InputSpecError || err instanceof DataReadError) throw inputError(err);
    // The S3 client refuses settings it cannot use (a key without its secret): the deployment's, but named to the caller.
    throw inputError(err, 'cannot read it: ');
  }
}

/** Which objects are Parquet, cut by row groups: those named so, or all of them (`format: parquet`), or none (`csv`). */
function parquetBy(format: unknown): (name: string) => boolean {
  if (format === 'parquet') return () => true;
  if (format === 'csv') return () => false;
  return namedParquet;
}

/** Which inputs are CSV, their first line read for a header: those named so, or all of them (`format: csv`), or none. */
function csvBy(format: unknown): (name: string) => boolean {
  if (format === 'csv') return () => true;
  if (format === 'parquet') return () => false;
  return namedCsv;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Named inputs (`--input NAME=URL`, each a table of its own): an object of name -> URL(s), or a list whose items are
 * `NAME=URL` strings (an item without a name is `input`); undefined when no input is named.
 */
export function namedInputs(input: unknown): Record<string, unknown> | undefined {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const named = input as Record<string, unknown>;
    if (Object.keys(named).length === 0) throw new InputSpecError('input: name at least one input');
    for (const name of Object.keys(named)) if (!TABLE_NAME.test(name)) throw new InputSpecError(`input: ${JSON.stringify(name)} is not a table name (letters, digits and _)`);
    return named;
  }
  const items = typeof input === 'string' ? [input] : Array.isArray(input) ? input : [];
  const split = items.map((item) => (typeof item === 'string' ? /^([A-Za-z_][A-Za-z0-9_]{0,62})=(.+)$/s.exec(item.trim()) : null));
  if (!split.some(Boolean)) return undefined;
  const named: Record<string, string[]> = {};
  items.forEach((item, i) => {
    const [table, url] = split[i] ? [split[i]![1], split[i]![2]] : ['input', item as string];
    (named[table] ??= []).push(url);
  });
  return named;
}

/**
 * The objects of the sources that hold data: under a prefix, a dataset's manifest and anything else whose name starts
 * with '_' or '.' (attempts not committed) are left out, so a job reads another's output dataset by its prefix.
 */
async function listData(access: DataAccess, sources: DataSource[]): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for (const source of sources) {
    const objects = await access.list([source]);
    if (source.kind !== 's3-prefix') {
      out.push(...objects);
      continue;
    }
    const base = `s3://${source.bucket}/${source.prefix}`;
    const visible = objects.filter((o) => !hiddenInDataset(o.name.slice(base.length)));
    if (visible.length === 0) throw new InputSpecError(`${base}: no data objects under this prefix`);
    out.push(...visible);
  }
  return out;
}

/** The task as its kernel sees it: with the job's data input, its slices, records, batches and chunks. */
export function taskRefOf(index: number, count: number, input: TaskInput | undefined, access: () => DataAccess): TaskRef {
  if (!input) return { index, count };
  return {
    index,
    count,
    input,
    ...(input.table !== undefined ? { table: input.table } : {}),
    records: { [Symbol.asyncIterator]: () => readRecords(access(), input) },
    batches: { [Symbol.asyncIterator]: () => readRecordBatches(access(), input, input.columns ? { columns: input.columns } : {}) },
    ...(input.columns ? { columns: input.columns } : {}),
    chunks: () => readChunks(access(), input),
    read: { readRange: (slice) => access().readRange(pinnedTo(input, slice)) },
  };
}

/** `slice` read as the version of its object that the task's own slices pin; an object the task does not read throws. */
function pinnedTo(input: TaskInput, slice: ObjectSlice): ObjectSlice {
  const own = input.slices.find((s) => s.object === slice.object);
  if (!own) throw new Error(`${slice.object} is not one of this task's objects`);
  return { ...slice, etag: own.etag, size: own.size };
}

/**
 * The whole of a data input (`input` as a request names it) read in order by one process, each object by one plain
 * GET, streamed and pinned to the version listed now: what a kernel's serial `reference` reads.
 */
export async function wholeInputOf(input: unknown, access: DataAccess): Promise<WholeInput> {
  const objects = await access.list(parseDataInput(input));
  const whole = { slices: objects.map((o) => ({ object: o.name, etag: o.etag, size: o.size, start: 0 })) };
  const first = objects.find((o) => o.size !== 0);
  const columns = first && namedCsv(first.name) ? await readCsvHeader(access, first) : undefined;
  return {
    records: { [Symbol.asyncIterator]: () => readRecords(access, whole) },
    batches: { [Symbol.asyncIterator]: () => readRecordBatches(access, whole, columns ? { columns } : {}) },
    chunks: () => readChunks(access, whole),
  };
}
