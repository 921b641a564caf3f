import type { InputPreview, Kernel, TaskRef } from './types.ts';
import { defineKernel } from './define.ts';
import { KernelInputError } from './types.ts';
import { checkFields, checkTaskRef, checkTasks } from './params.ts';
import { emptyTableSql, ident, literal, QueryError, withEngine, type Engine, type Table } from './sql/engine.ts';
import { loadCsvSlice, sniffCsv, type CsvShape } from './sql/csv.ts';
import { loadParquetSlices, parquetSchema, type ParquetShape } from './sql/parquet.ts';
import { columnsUsed } from './sql/columns.ts';
import { namedParquet } from '../pipeline/data/parquet-cut.ts';
import { checkMapSchema, checkSortSchema, describeReduce, reduceTables, writeRows, type TableSchema } from './sql/shuffle.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type InputShape = CsvShape | ParquetShape;

export interface SqlParams {
  map: string;
  reduce?: string;
  format?: 'csv' | 'parquet';
  /** What the job learnt of its input when it was created (the kernel's `prepare`); tasks read their slices by it. */
  inputShape?: InputShape;
  /** Several named inputs (`--input NAME=URL`): each one's map query (`map.NAME`; `map` for those without). */
  maps?: Record<string, string>;
  /** Several named inputs: what the job learnt of each. */
  inputShapes?: Record<string, InputShape>;
  /** A shuffle job: each input's map answer's columns and types, the tables its reduce query reads per partition. */
  mapSchemas?: Record<string, TableSchema>;
}

/** One task's answer to the map query, with its index so the union keeps task order. */
export interface SqlPartial extends Table {
  index: number;
}

/** A query's answer: integers beyond 2^53 as strings, DECIMAL, dates and times as DuckDB writes them. */
export interface SqlResult {
  columns: string[];
  rows: unknown[][];
}

const NAME = 'sql';
/** Types whose JSON form DuckDB cannot read back, so partials cannot carry them to a reduce query. */
const NOT_CARRIED = /\b(MAP|INTERVAL|UNION|VARIANT)\b/i;

/** As the job's input was cut (pipeline/data/job-input.ts): Parquet by `format`, else by the object's name. */
function formatOf(params: SqlParams, object: string): 'csv' | 'parquet' {
  if (params.format) return params.format;
  return namedParquet(object) ? 'parquet' : 'csv';
}

function queryField(p: Record<string, unknown>, field: string): string | undefined {
  const v = p[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new KernelInputError(`${NAME}: field "${field}" must be a non-empty SQL query`);
  // A trailing semicolon is how people end a query; DuckDB's DESCRIBE would take it for a second statement.
  return v.trim().replace(/;\s*$/, '');
}

function shapeOf(raw: unknown): InputShape | undefined {
  if (raw === undefined) return undefined;
  const s = raw as Partial<InputShape> | null;
  if (!s || typeof s !== 'object' || (s.format !== 'csv' && s.format !== 'parquet') || !Array.isArray(s.columns) || !Array.isArray(s.types)) {
    throw new KernelInputError(`${NAME}: field "inputShape" is the job's own (leave it out)`);
  }
  return s as InputShape;
}

/** Table `partials`: every partial's rows, with the map query's column types, read back from their JSON. */
async function loadPartials(engine: Engine, partials: SqlPartial[]): Promise<void> {
  const { columns, types } = partials[0];
  for (const p of partials) {
    if (p.columns.join('\n') !== columns.join('\n') || p.types.join('\n') !== types.join('\n')) {
      throw new Error(`task ${p.index}'s partial has columns ${p.columns.join(', ')} (${p.types.join(', ')}), task ${partials[0].index}'s ${columns.join(', ')} (${types.join(', ')})`);
    }
  }
  await engine.exec(emptyTableSql('partials', columns, types));
  const rows = partials.flatMap((p) => p.rows);
  if (rows.length === 0) return;
  const path = join(engine.dir, 'partials.json');
  await writeFile(path, rows.map((r) => JSON.stringify(Object.fromEntries(r.map((v, i) => [columns[i], v])))).join('\n'));
  const spec = `{${columns.map((c, i) => `${literal(c)}: ${literal(types[i])}`).join(', ')}}`;
  await engine.exec(`INSERT INTO ${ident('partials')} SELECT * FROM read_json(${literal(path)}, format = 'newline_delimited', columns = ${spec})`);
}

async function loadSlice(engine: Engine, task: TaskRef, shape: InputShape): Promise<void> {
  if (!task.input || !task.read) throw new KernelInputError(`${NAME}: the task has no input`);
  const owned = { ...task, input: task.input, read: task.read };
  if (shape.format === 'parquet') await loadParquetSlices(engine, owned, shape);
  else await loadCsvSlice(engine, owned, shape);
}

/** The map query of named input `table`: its own (`map.NAME`), or the one for every input (`map`). */
function mapQueryOf(params: SqlParams, table: string): string {
  const query = params.maps?.[table] ?? params.map;
  if (!query) throw new QueryError(`map.${table}: no map query for input "${table}" (give map.${table} or map)`);
  return query;
}

/**
 * `prepare` for a shuffle job or one of several named inputs: each input's shape and its map query's answer (which
 * must have the key column), then the reduce query against those answers, one table per input.
 */
async function prepareShuffle(params: SqlParams, input: InputPreview): Promise<Record<string, unknown>> {
  if (input.partitionBy === undefined) throw new KernelInputError(`${NAME}: several named inputs are joined per partition: give partitionBy (the join key)`);
  const key = input.partitionBy;
  const tables = input.tables ?? { input: input.object };
  const inputShapes: Record<string, InputShape> = {};
  const mapSchemas: Record<string, TableSchema> = {};
  for (const [table, object] of Object.entries(tables)) {
    const query = mapQueryOf(params, table);
    const label = input.tables ? `map.${table}` : 'map';
    const format = formatOf(params, object.object);
    await withEngine(async (engine) => {
      const preview = { object, read: input.read };
      const shape: InputShape = format === 'parquet' ? await parquetSchema(engine, preview) : await sniffCsv(engine, preview);
      await engine.exec(emptyTableSql('input', shape.columns, shape.types));
      if (table !== 'input') await engine.exec(`CREATE VIEW ${ident(table)} AS SELECT * FROM ${ident('input')}`);
      await engine.lockDown();
      const mapped = await engine.describe(query, label);
      if (input.sortBy) checkSortSchema(mapped, input.sortBy, label);
      checkMapSchema(mapped, key, label);
      const bad = mapped.types.findIndex((t) => NOT_CARRIED.test(t));
      if (bad >= 0) throw new QueryError(`${label}: column "${mapped.columns[bad]}" has type ${mapped.types[bad]}, which a shuffle cannot carry; cast it (::VARCHAR)`);
      if (shape.format === 'parquet') shape.project = await columnsUsed(engine, query, shape.columns);
      inputShapes[table] = shape;
      mapSchemas[table] = mapped;
    });
  }
  if (params.reduce !== undefined) {
    const reduced = await describeReduce(params.reduce, mapSchemas);
    // A sort's reducers sort their answers by the sort columns: the reduce query must keep them.
    if (input.sortBy) checkSortSchema(reduced, input.sortBy, 'reduce');
  }
  else if (Object.keys(mapSchemas).length > 1) throw new QueryError('reduce: several inputs need a reduce query that joins them');
  const raw: Record<string, unknown> = { ...(params.map ? { map: params.map } : {}), ...(params.reduce !== undefined ? { reduce: params.reduce } : {}), mapSchemas };
  for (const [table, query] of Object.entries(params.maps ?? {})) raw[`map.${table}`] = query;
  if (params.format) raw.format = params.format;
  if (input.tables) raw.inputShapes = inputShapes;
  else raw.inputShape = inputShapes.input;
  return raw;
}

export const sql = {
  name: NAME,
  description: 'Runs a SQL query (DuckDB) over each task\'s slice of the input as table "input", then an optional reduce query over the union of the answers as table "partials".',
  params: {
    map: 'the query each task runs over its slice, as table "input" (CSV with a header: its named columns; Parquet: its columns)',
    reduce: 'the query over all tasks\' answers, as table "partials" (default: their union, in task order)',
    format: 'csv or parquet (default: parquet for objects named *.parquet, else csv)',
  },
  parse(raw, job) {
    const named = Object.keys(raw ?? {}).filter((k) => /^map\.[A-Za-z_][A-Za-z0-9_]*$/.test(k));
    const p = checkFields(NAME, raw, ['map', 'reduce', 'format', 'inputShape', 'inputShapes', 'mapSchemas', ...named]);
    if (!job?.input) throw new KernelInputError(`${NAME}: the job needs an input to query (--input s3://BUCKET/KEY or a URL)`);
    const map = queryField(p, 'map') ?? (named.length > 0 ? '' : undefined);
    if (map === undefined) throw new KernelInputError(`${NAME}: field "map" (the query over each slice, table "input") is required`);
    if (p.format !== undefined && p.format !== 'csv' && p.format !== 'parquet') throw new KernelInputError(`${NAME}: field "format" must be csv or parquet`);
    const out: SqlParams = { map };
    const reduce = queryField(p, 'reduce');
    if (reduce !== undefined) out.reduce = reduce;
    if (p.format !== undefined) out.format = p.format as SqlParams['format'];
    const shape = shapeOf(p.inputShape);
    if (shape) out.inputShape = shape;
    if (named.length > 0) out.maps = Object.fromEntries(named.map((k) => [k.slice('map.'.length), queryField(p, k)!]));
    if (p.inputShapes !== undefined) {
      if (!p.inputShapes || typeof p.inputShapes !== 'object') throw new KernelInputError(`${NAME}: field "inputShapes" is the job's own (leave it out)`);
      out.inputShapes = Object.fromEntries(Object.entries(p.inputShapes).map(([k, v]) => [k, shapeOf(v)!]));
    }
    if (p.mapSchemas !== undefined) out.mapSchemas = p.mapSchemas as Record<string, TableSchema>;
    return out;
  },
  split(_params, tasks) {
    return checkTasks(NAME, tasks);
  },
  async prepare(params, input: InputPreview) {
    if (input.tables || input.partitionBy !== undefined) return prepareShuffle(params, input);
    const format = formatOf(params, input.object.object);
    return withEngine(async (engine) => {
      const shape: InputShape = format === 'parquet' ? await parquetSchema(engine, input) : await sniffCsv(engine, input);
      await engine.exec(emptyTableSql('input', shape.columns, shape.types));
      await engine.lockDown();
      const mapped = await engine.describe(params.map, 'map');
      if (shape.format === 'parquet') shape.project = await columnsUsed(engine, params.map, shape.columns);
      if (params.reduce !== undefined) {
        const twice = mapped.columns.find((c, i) => mapped.columns.indexOf(c) !== i);
        if (twice !== undefined) throw new QueryError(`map: its answer has two columns named "${twice}"; name them apart (AS) for the reduce query's table "partials"`);
        const bad = mapped.types.findIndex((t) => NOT_CARRIED.test(t));
        if (bad >= 0) throw new QueryError(`map: column "${mapped.columns[bad]}" has type ${mapped.types[bad]}, which partials cannot carry to the reduce query; cast it (::VARCHAR) in the map query`);
        await engine.exec(emptyTableSql('partials', mapped.columns, mapped.types));
        await engine.describe(params.reduce, 'reduce');
      }
      return { map: params.map, ...(params.reduce !== undefined ? { reduce: params.reduce } : {}), format, inputShape: shape };
    });
  },
  async work(params, task) {
    checkTaskRef(NAME, task);
    const table = task.table ?? 'input';
    const shape = params.inputShapes?.[table] ?? params.inputShape;
    if (!shape) throw new KernelInputError(`${NAME}: the job's input was not inspected when it was created`);
    const query = mapQueryOf(params, table);
    return withEngine(async (engine) => {
      await loadSlice(engine, task, shape);
      if (table !== 'input') await engine.exec(`CREATE VIEW ${ident(table)} AS SELECT * FROM ${ident('input')}`);
      await engine.lockDown();
      return { index: task.index, ...(await engine.query(query, table === 'input' ? 'map' : `map.${table}`)) };
    });
  },
  async reducePartition(params, tables) {
    if (!params.mapSchemas) throw new KernelInputError(`${NAME}: the job's map queries were not checked when it was created`);
    return reduceTables(params.reduce, params.mapSchemas, tables);
  },
  writePart(rows, format) {
    return writeRows(rows, format);
  },
  async reduce(params, partials) {
    const ordered = [...partials].sort((a, b) => a.index - b.index);
    if (params.reduce === undefined) return { columns: ordered[0]?.columns ?? [], rows: ordered.flatMap((p) => p.rows) };
    const query = params.reduce;
    return withEngine(async (engine) => {
      await loadPartials(engine, ordered);
      await engine.lockDown();
      const { columns, rows } = await engine.query(query, 'reduce');
      return { columns, rows };
    });
  },
} satisfies Kernel<SqlParams, SqlPartial, SqlResult>;

export default defineKernel(sql);
