// Parquet inputs of the `sql` kernel, read by DuckDB itself (its own Parquet reader: snappy, zstd, gzip, every type it
// writes). A task owns the row groups that start in its byte ranges (as it owns the lines that start there in a CSV),
// so every row group is read by exactly one task wherever the cuts fall. It reads the object's footer (one ranged GET),
// then only the column chunks of the columns the map query uses in the row groups it owns, and writes them at their
// own offsets into a sparse local copy of the object; DuckDB reads that copy, restricted to the owned rows by
// `file_row_number` (it then skips the other row groups, whose bytes are holes, without reading them).
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordFormatError } from '../../pipeline/data/errors.ts';
import type { ByteReader, ObjectSlice } from '../../pipeline/data/objects.ts';
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

/** The first read from an object's end: most footers fit, so one GET gets it. */
const TAIL_BYTES = 64 * 2 ** 10;
const MAGIC = 'PAR1';

/**
 * A sparse local file as long as the object holding only its footer (and the 8 bytes after it); answers the path. An
 * object whose size is unknown (a URL without byte ranges) is copied whole.
 */
async function footerCopy(read: ByteReader, object: ObjectSlice, path: string): Promise<{ size: number }> {
  const file = await open(path, 'w');
  try {
    if (object.size === undefined) {
      const whole = await readBytes(read, { ...object, start: 0, end: undefined });
      await file.write(whole, 0, whole.length, 0);
      checkMagic(object.object, whole);
      return { size: whole.length };
    }
    const size = object.size;
    if (size < 12) throw notParquet(object.object, 'it is too short');
    const tailStart = Math.max(0, size - TAIL_BYTES);
    let tail = await readBytes(read, { ...object, start: tailStart, end: size });
    checkMagic(object.object, tail);
    const footerLength = tail.readUInt32LE(tail.length - 8);
    const footerStart = size - 8 - footerLength;
    if (footerStart < 4) throw notParquet(object.object, 'its footer length is past its start');
    if (footerStart < tailStart) tail = Buffer.concat([await readBytes(read, { ...object, start: footerStart, end: tailStart }), tail]);
    await file.truncate(size);
    // Readers check the magic at the start too; the bytes between are the row groups, fetched by the tasks owning them.
    await file.write(Buffer.from(MAGIC, 'latin1'), 0, 4, 0);
    await file.write(tail, 0, tail.length, size - tail.length);
    return { size };
  } finally {
    await file.close();
  }
}

function checkMagic(name: string, tail: Buffer): void {
  if (tail.length < 12 || tail.subarray(tail.length - 4).toString('latin1') !== MAGIC) throw notParquet(name, 'it does not end in "PAR1"');
}

function notParquet(name: string, why: string): RecordFormatError {
  return new RecordFormatError(name, `is not a Parquet file: ${why}`);
}

/** The first object's columns and types, from its footer. */
export async function parquetSchema(engine: Engine, input: InputPreview): Promise<ParquetShape> {
  const path = join(engine.dir, 'schema.parquet');
  try {
    await footerCopy(input.read, input.object, path);
    const reader = await engine.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${literal(path)})`);
    const rows = reader.getRowObjectsJson() as Array<{ column_name: string; column_type: string }>;
    return { format: 'parquet', columns: rows.map((r) => r.column_name), types: rows.map((r) => r.column_type) };
  } catch (err) {
    if (err instanceof RecordFormatError) throw new KernelInputError(err.message);
    throw new KernelInputError(`${input.object.object} cannot be read as Parquet: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

interface ColumnChunk {
  rowGroup: number;
  rows: number;
  path: string;
  start: number;
  bytes: number;
}

/** Which top-level column each leaf chunk belongs to: leaves come in schema order, `a`, `a, b`, … for a column `a`. */
function topLevelOf(columns: readonly string[], chunks: readonly ColumnChunk[]): string[] {
  const firstGroup = chunks.filter((c) => c.rowGroup === chunks[0]?.rowGroup);
  const byLeaf: string[] = [];
  let t = 0;
  for (const c of firstGroup) {
    while (t < columns.length && !(c.path === columns[t] || c.path.startsWith(`${columns[t]}, `))) t++;
    byLeaf.push(columns[t] ?? '');
  }
  return byLeaf;
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
    const { size } = await footerCopy(task.read, slice, path);
    const reader = await engine.connection.runAndReadAll(
      `SELECT row_group_id, row_group_num_rows, path_in_schema, coalesce(dictionary_page_offset, data_page_offset), total_compressed_size FROM parquet_metadata(${literal(path)}) ORDER BY row_group_id, column_id`,
    );
    const chunks: ColumnChunk[] = reader.getRows().map((r) => ({ rowGroup: Number(r[0]), rows: Number(r[1]), path: String(r[2]), start: Number(r[3]), bytes: Number(r[4]) }));
    const leafColumn = topLevelOf(shape.columns, chunks);
    const groups = new Map<number, ColumnChunk[]>();
    for (const c of chunks) groups.set(c.rowGroup, [...(groups.get(c.rowGroup) ?? []), c]);
    const end = slice.end ?? size;
    const owned: Array<[number, number]> = [];
    const fetch: Array<[number, number]> = [];
    let firstRow = 0;
    for (const [, group] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
      const start = Math.min(...group.map((c) => c.start));
      const rows = group[0].rows;
      if (start >= slice.start && start < end) {
        owned.push([firstRow, firstRow + rows]);
        group.forEach((c, leaf) => {
          if (project.includes(leafColumn[leaf])) fetch.push([c.start, c.start + c.bytes]);
        });
      }
      firstRow += rows;
    }
    if (owned.length === 0) continue;
    const file = await open(path, 'r+');
    try {
      for (const [from, to] of mergeRanges(fetch)) await copyRange(task.read, { ...slice, start: from, end: to }, file);
    } finally {
      await file.close();
    }
    const where = owned.map(([a, b]) => `(file_row_number >= ${a} AND file_row_number < ${b})`).join(' OR ');
    await engine.exec(`INSERT INTO ${ident('input')} SELECT ${project.map(ident).join(', ')} FROM read_parquet(${literal(path)}, file_row_number = true) WHERE ${where}`);
  }
}
