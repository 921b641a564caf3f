// A sort's shuffle (`sortBy`), the stages of stages.ts with range partitions in place of hash partitions:
//
//   map      each task sorts its rows by the sort key and writes them as one run (one object, a JSON array per line)
//            under jobs/JOB/shuffle/map-TASK/attempt-A/run; its partial carries the run's sparse index (every n-th
//            row's key and byte offset), committed with the task's done mark like any map partial.
//   between  when every map task is done, the R - 1 split points are drawn from the committed runs' indexes (their
//            keys weighted by the rows each stands for) and stored in the reduce stage's spec, which is created once:
//            however often this step runs, every reducer reads the same points, and a retried reduce task the same rows.
//   reduce   task r reads, from each committed run, the byte range its index says may hold keys in
//            [split r-1, split r) (one ranged GET), keeps the rows whose key is in that range, runs `reducePartition`,
//            and sorts its answer by the sort key: part r's keys all come before part r+1's, so the parts concatenated
//            are sorted.
//
// A map task writes one object whatever R is (a hash shuffle writes up to R), and no pass over the input is made to
// sample it: the runs are the sample.
import type { Row, Rows } from '../../kernels/types.ts';
import { boundedMap } from '../dispatch/pool.ts';
import { RowsError } from './rows.ts';
import { encodeRun, keyComparator, partitionOfKey, runIndexEntries, runRange, sortRows, splitPoints, type RunIndex, type SortKey } from './sort.ts';
import type { ShuffleSpec } from './spec.ts';
import type { ShuffleObjects } from './store-objects.ts';

/** A map task's run as its partial describes it: the run's columns (its lines are arrays in this order) and index. */
export interface SortedRun {
  columns: string[];
  types?: string[];
  index: RunIndex;
}

/** What a sort's map task answers inside its MapPartial. */
export interface SortMapOutput {
  rows: number[];
  bytes: number[];
  run: SortedRun;
}

export function runObjectKey(mapJob: string, task: number, attempt: string): string {
  return `jobs/${mapJob}/shuffle/map-${task}/attempt-${attempt}/run`;
}

/** Sorts a map task's rows and writes them as its run (nothing when it has none). */
export async function writeRun(shuffle: ShuffleSpec, objects: ShuffleObjects, bucket: string, key: string, rows: Rows, what: string): Promise<SortMapOutput> {
  const sorted = sortRows(rows, shuffle.sort!, what);
  const { body, index } = encodeRun(sorted, shuffle.sort!, runIndexEntries(shuffle.reducers), what);
  if (sorted.rows.length > 0) await objects.put(bucket, key, body, 'application/x-ndjson');
  return { rows: [sorted.rows.length], bytes: [body.length], run: { columns: rows.columns, ...(rows.types ? { types: rows.types } : {}), index } };
}

/** The split points of a sort's reduce stage, from its map stage's committed runs. */
export function splitsOf(shuffle: ShuffleSpec, runs: readonly SortedRun[]): SortKey[] {
  const typed = runs.find((r) => r.index.keyTypes)?.index.keyTypes;
  return splitPoints(runs.map((r) => r.index), shuffle.reducers, keyComparator(shuffle.sort!, typed));
}

export interface CommittedRun {
  /** The map task and its committed attempt. */
  task: number;
  attempt: string;
  table: string;
  rows: number;
  bytes: number;
  run: SortedRun;
}

/** Reduce task `part`'s rows of every committed run, by table, in map-task order; with what reading them cost. */
export async function readRange(shuffle: ShuffleSpec, objects: ShuffleObjects, bucket: string, runs: readonly CommittedRun[], part: number, inFlight: number): Promise<{ tables: Record<string, Row[]>; gets: number; bytes: number }> {
  if (!shuffle.splits) throw new Error('the sort\'s reduce stage was created without its split points');
  const splits = shuffle.splits;
  const low = part > 0 ? splits[part - 1] : undefined;
  const high = part < splits.length ? splits[part] : undefined;
  const tables: Record<string, Row[]> = {};
  for (const r of runs) tables[r.table] ??= [];
  const read: Row[][] = new Array(runs.length);
  let gets = 0;
  let bytes = 0;
  const { errors } = await boundedMap(runs.map((r, i) => ({ r, i })), inFlight, async ({ r, i }) => {
    read[i] = [];
    if (r.rows === 0) return;
    const compare = keyComparator(shuffle.sort!, r.run.index.keyTypes);
    const range = runRange(r.run.index, r.bytes, low, high, compare);
    if (!range) return;
    const key = runObjectKey(shuffle.mapJob!, r.task, r.attempt);
    const body = await objects.getRange(bucket, key, range.start, range.end);
    gets++;
    bytes += body.length;
    const at = shuffle.sort!.map(({ column }) => r.run.columns.indexOf(column));
    for (const line of body.toString('utf8').split('\n')) {
      if (line === '') continue;
      const values = JSON.parse(line) as unknown[];
      if (partitionOfKey(at.map((c) => values[c] ?? null), splits, compare) !== part) continue;
      read[i].push(Object.fromEntries(r.run.columns.map((c, j) => [c, values[j]])));
    }
  });
  if (errors.length > 0) throw errors[0];
  runs.forEach((r, i) => {
    for (const row of read[i]) tables[r.table].push(row);
  });
  return { tables, gets, bytes };
}

/** A reduce task's answer sorted by the sort key: the reduce query must keep the sort columns. */
export function sortedPart(shuffle: ShuffleSpec, rows: Rows, part: number): Rows {
  const what = `partition ${part}'s reduce`;
  if (shuffle.sort!.some(({ column }) => !rows.columns.includes(column)) && rows.rows.length === 0) return rows;
  try {
    return sortRows(rows, shuffle.sort!, what);
  } catch (err) {
    if (err instanceof RowsError) throw new RowsError(`${err.message}; a sort's reduce must answer the sort columns`);
    throw err;
  }
}
