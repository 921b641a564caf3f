// CSV inputs of the `sql` kernel. When the job is created, DuckDB's sniffer reads the first object's first MiB once and
// fixes the dialect (delimiter, quotes, header) and every column's name and type; each task then reads the lines it owns
// (the lines that start in its byte ranges, as pipeline/data/record-reader.ts owns records; each object's header line
// left out) with
// exactly that dialect and those types, so that all tasks' tables agree. A value that does not fit its sniffed type
// fails its task, naming the line; a quoted field may not span lines (records are lines).
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectSlice } from '../../pipeline/data/objects.ts';
import type { InputPreview, TaskRef } from '../types.ts';
import { KernelInputError } from '../types.ts';
import { readBytes } from './bytes.ts';
import { ownedLineBytes } from './owned-bytes.ts';
import { emptyTableSql, ident, literal, type Engine } from './engine.ts';

/** How the input's CSV is read, as sniffed when the job was created. */
export interface CsvDialect {
  delim: string;
  quote: string;
  escape: string;
  header: boolean;
  /** Lines before the header (or the first row) in each object. */
  skip: number;
  comment: string;
  dateformat?: string;
  timestampformat?: string;
}

export interface CsvShape {
  format: 'csv';
  columns: string[];
  types: string[];
  csv: CsvDialect;
}

/** What the sniffer reads to fix the dialect and the types. */
export const SNIFF_BYTES = 2 ** 20;

interface Sniffed {
  Delimiter: string;
  Quote: string;
  Escape: string;
  Comment: string;
  SkipRows: number;
  HasHeader: boolean;
  Columns: Array<{ name: string; type: string }>;
  DateFormat: string | null;
  TimestampFormat: string | null;
}

const option = (v: string): string => (v === '(empty)' ? '' : v);

/** The first object's dialect and columns, from its first MiB (cut at its last whole line). */
export async function sniffCsv(engine: Engine, input: InputPreview): Promise<CsvShape> {
  const { object } = input;
  let sample = await readBytes(input.read, { ...object, start: 0, end: object.size === undefined ? undefined : Math.min(object.size, SNIFF_BYTES) }, SNIFF_BYTES);
  const whole = object.size !== undefined && sample.length >= object.size;
  if (!whole) {
    const last = sample.lastIndexOf(0x0a);
    if (last >= 0) sample = sample.subarray(0, last + 1);
  }
  if (sample.length === 0) throw new KernelInputError(`${object.object} is empty`);
  const path = join(engine.dir, 'sample.csv');
  await writeFile(path, sample);
  let sniffed: Sniffed;
  try {
    const reader = await engine.connection.runAndReadAll(`SELECT * FROM sniff_csv(${literal(path)}, sample_size = -1)`);
    sniffed = reader.getRowObjectsJson()[0] as unknown as Sniffed;
  } catch (err) {
    throw new KernelInputError(`${object.object} cannot be read as CSV: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const columns = sniffed.Columns.map((c) => c.name);
  if (columns.length === 0) throw new KernelInputError(`${object.object}: no columns found in its first lines`);
  return {
    format: 'csv',
    columns,
    types: sniffed.Columns.map((c) => c.type),
    csv: {
      delim: option(sniffed.Delimiter),
      quote: option(sniffed.Quote),
      escape: option(sniffed.Escape),
      header: sniffed.HasHeader,
      skip: Number(sniffed.SkipRows) || 0,
      comment: option(sniffed.Comment),
      ...(sniffed.DateFormat ? { dateformat: sniffed.DateFormat } : {}),
      ...(sniffed.TimestampFormat ? { timestampformat: sniffed.TimestampFormat } : {}),
    },
  };
}

/** The read_csv call that reads `path` as the job's CSV: no detection, the job's dialect and column types. */
function readCsvSql(path: string, shape: CsvShape): string {
  const d = shape.csv;
  const columns = `{${shape.columns.map((c, i) => `${literal(c)}: ${literal(shape.types[i])}`).join(', ')}}`;
  const options = [
    'header = false',
    'auto_detect = false',
    `delim = ${literal(d.delim)}`,
    `quote = ${literal(d.quote)}`,
    `escape = ${literal(d.escape)}`,
    `comment = ${literal(d.comment)}`,
    `columns = ${columns}`,
    ...(d.dateformat ? [`dateformat = ${literal(d.dateformat)}`] : []),
    ...(d.timestampformat ? [`timestampformat = ${literal(d.timestampformat)}`] : []),
  ];
  return `read_csv(${literal(path)}, ${options.join(', ')})`;
}

/** Lines an object starts with that are not rows: the sniffed skipped lines and the header. */
function leadingLines(shape: CsvShape, slice: ObjectSlice): number {
  return slice.start === 0 ? shape.csv.skip + (shape.csv.header ? 1 : 0) : 0;
}

/** Table `input`: the rows this task owns, read from its lines' bytes as the job's CSV. */
export async function loadCsvSlice(engine: Engine, task: TaskRef & Required<Pick<TaskRef, 'input' | 'read'>>, shape: CsvShape): Promise<void> {
  const path = join(engine.dir, 'slice.csv');
  const file = await open(path, 'w');
  let bytes = 0;
  let last = NEWLINE;
  try {
    for (const slice of task.input.slices) {
      // An object's last line may lack its newline; the next object's first line must not join it.
      if (last !== NEWLINE) await file.write(Buffer.from([NEWLINE]));
      for await (const chunk of ownedLineBytes(task.read, slice, leadingLines(shape, slice))) {
        if (chunk.length === 0) continue;
        await file.write(chunk);
        bytes += chunk.length;
        last = chunk[chunk.length - 1];
      }
    }
  } finally {
    await file.close();
  }
  await engine.exec(bytes === 0 ? emptyTableSql('input', shape.columns, shape.types) : `CREATE TABLE ${ident('input')} AS SELECT * FROM ${readCsvSql(path, shape)}`);
}

const NEWLINE = 0x0a;
