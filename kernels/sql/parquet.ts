// Parquet inputs of the `sql` kernel, read by DuckDB itself (its own Parquet reader: snappy, zstd, gzip, every type it
// writes). The job read each object's footer once when it was created and cut the input by row groups
// (pipeline/data/parquet-cut.ts): a task's slice carries the footer cut down to the row groups it owns. The task
// fetches only the column chunks of the columns the map query uses in those row groups, writes them at their own
// offsets into a sparse local file that ends in that cut footer, and DuckDB reads the file: every row of it is the
// task's, and the bytes of the other row groups and columns are holes never read.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordFormatError } from '../../pipeline/data/errors.ts';
import type { ByteReader, ObjectSlice } from '../../pipeline/data/objects.ts';
import { cutFooter, footerTail, PARQUET_MAGIC, parquetRowGroups, readParquetFooter } from '../../pipeline/data/parquet-footer.ts';
import type { InputPreview, TaskRef } from '../types.ts';
import { KernelInputError } from '../types.ts';
import { copyRange, readBytes } from './bytes.ts';
import { emptyTableSql, ident, literal, type Engine } from './engine.ts';

export interface ParquetShape {
  format: 'parquet';
  columns: string[];
  types: string[];
  /** The columns the map query uses (all when it cannot tell): the only ones fetched and loaded. */
  project?: string[];
}

function checkMagic(name: string, whole: Buffer): void {
  if (whole.length < 12 || !whole.subarray(whole.length - 4).equals(PARQUET_MAGIC)) throw new RecordFormatError(name, 'is not a Parquet file: it does not end in "PAR1"');
}

/** An object read whole (its size unknown: a URL without byte ranges), copied to `path`. */
async function wholeCopy(read: ByteReader, slice: ObjectSlice, path: string): Promise<void> {
  const whole = await readBytes(read, { ...slice, start: 0, end: undefined });
  checkMagic(slice.object, whole);
  const file = await open(path, 'w');
  try {
    await file.write(whole, 0, whole.length, 0);
  } finally {
    await file.close();
  }
}

/**
 * The footer cut to the slice's row groups: the one the job's creation gave it; or, for a slice that came without one,
 * the object's own footer read now, cut by the same rule (the row groups that start in the slice).
 */
async function sliceFooter(read: ByteReader, slice: ObjectSlice & { size: number }): Promise<Buffer> {
  if (slice.footer !== undefined) return Buffer.from(slice.footer, 'base64');
  const footer = await readParquetFooter(read, slice);
  const end = slice.end ?? slice.size;
  const owned = parquetRowGroups(footer, slice.object).flatMap((g, i) => (g.start >= slice.start && g.start < end ? [i] : []));
  return cutFooter(footer, owned, slice.object);
}

/**
 * A sparse local file as long as the object, holding its magic, the column chunks of the columns in `project` of the
 * footer's row groups at their own offsets, and the footer after the object's length.
 */
async function sparseCopy(read: ByteReader, slice: ObjectSlice & { size: number }, footer: Buffer, project: readonly string[], path: string): Promise<void> {
  const fetch: Array<[number, number]> = [];
  for (const group of parquetRowGroups(footer, slice.object)) {
    for (const chunk of group.chunks) if (project.includes(chunk.path[0])) fetch.push([chunk.start, chunk.end]);
  }
  const file = await open(path, 'w');
  try {
    // Readers check the magic at the start too; the footer goes after the object's bytes, which are holes but for
    // the chunks fetched.
    await file.write(PARQUET_MAGIC, 0, 4, 0);
    const tail = footerTail(footer);
    await file.write(tail, 0, tail.length, slice.size);
    for (const [from, to] of mergeRanges(fetch)) await copyRange(read, { ...slice, start: from, end: to }, file);
  } finally {
    await file.close();
  }
}

/** The first object's columns and types, from the footer the job's creation read (or from the object itself). */
export async function parquetSchema(engine: Engine, input: InputPreview): Promise<ParquetShape> {
  const path = join(engine.dir, 'schema.parquet');
  const { object } = input;
  try {
    if (object.size === undefined) await wholeCopy(input.read, object, path);
    else {
      const footer = object.footer !== undefined ? Buffer.from(object.footer, 'base64') : await readParquetFooter(input.read, { ...object, size: object.size });
      const file = await open(path, 'w');
      try {
        await file.write(Buffer.concat([PARQUET_MAGIC, footerTail(cutFooter(footer, [], object.object))]));
      } finally {
        await file.close();
      }
    }
    const reader = await engine.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${literal(path)})`);
    const rows = reader.getRowObjectsJson() as Array<{ column_name: string; column_type: string }>;
    return { format: 'parquet', columns: rows.map((r) => r.column_name), types: rows.map((r) => r.column_type) };
  } catch (err) {
    if (err instanceof RecordFormatError) throw new KernelInputError(err.message);
    throw new KernelInputError(`${object.object} cannot be read as Parquet: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** Merges byte ranges that touch or nearly touch (one GET for a run of adjacent column chunks). */
function mergeRanges(ranges: Array<[number, number]>, gap = 64 * 2 ** 10): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + gap) last[1] = Math.max(last[1], r[1]);
    else out.push([...r]);
  }
  return out;
}

/** Table `input`: the projected columns of the row groups this task owns, over all its slices. */
export async function loadParquetSlices(engine: Engine, task: TaskRef & Required<Pick<TaskRef, 'input' | 'read'>>, shape: ParquetShape): Promise<void> {
  const project = shape.project ?? shape.columns;
  const types = project.map((c) => shape.types[shape.columns.indexOf(c)]);
  await engine.exec(emptyTableSql('input', project, types));
  let n = 0;
  for (const slice of task.input.slices) {
    const path = join(engine.dir, `slice-${n++}.parquet`);
    // An object read whole (no byte ranges) came without a footer: it is the task's whole.
    if (slice.size === undefined || (slice.footer === undefined && slice.end === undefined)) await wholeCopy(task.read, slice, path);
    else {
      const sized = { ...slice, size: slice.size };
      const footer = await sliceFooter(task.read, sized);
      if (parquetRowGroups(footer, slice.object).length === 0) continue;
      await sparseCopy(task.read, sized, footer, project, path);
    }
    await engine.exec(`INSERT INTO ${ident('input')} SELECT ${project.map(ident).join(', ')} FROM read_parquet(${literal(path)})`);
  }
}
