// The `sql` kernel in a shuffle job: a map query per named input (`map.NAME`, or `map` for all), each answer
// partitioned by the key; then per partition the reduce query over one table per input (its rows that fell into the
// partition, with the map query's column types); parts written by DuckDB in any format.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartFormat, Row, Rows } from '../types.ts';
import { KernelInputError } from '../types.ts';
import { emptyTableSql, ident, literal, QueryError, withEngine, type Engine } from './engine.ts';

/** A map query's answer's shape, kept with the job so that every partition's tables have the same columns. */
export interface TableSchema {
  columns: string[];
  types: string[];
}

/** Loads rows (objects, or arrays in `schema`'s column order) into a new table `name` with the schema's types. */
export async function loadRows(engine: Engine, name: string, schema: TableSchema, rows: Row[] | unknown[][]): Promise<void> {
  await engine.exec(emptyTableSql(name, schema.columns, schema.types));
  if (rows.length === 0) return;
  const path = join(engine.dir, `${name}.rows.json`);
  const objects = rows.map((r) => (Array.isArray(r) ? Object.fromEntries(schema.columns.map((c, i) => [c, r[i]])) : r));
  await writeFile(path, objects.map((o) => JSON.stringify(o)).join('\n'));
  const spec = `{${schema.columns.map((c, i) => `${literal(c)}: ${literal(schema.types[i])}`).join(', ')}}`;
  await engine.exec(`INSERT INTO ${ident(name)} SELECT ${schema.columns.map(ident).join(', ')} FROM read_json(${literal(path)}, format = 'newline_delimited', columns = ${spec})`);
}

/** Checks that a map query's answer can be partitioned by `key`: the column is there, and named once. */
export function checkMapSchema(schema: TableSchema, key: string, label: string): void {
  if (!schema.columns.includes(key)) {
    throw new QueryError(`${label}: its answer has no column "${key}" to partition by (it has ${schema.columns.join(', ')})`);
  }
  const twice = schema.columns.find((c, i) => schema.columns.indexOf(c) !== i);
  if (twice !== undefined) throw new QueryError(`${label}: its answer has two columns named "${twice}"; name them apart (AS)`);
}

/** Types whose JSON form a shuffle cannot order as DuckDB does (pipeline/shuffle/sort.ts compares JSON values). */
const UNSORTABLE = /\[|\b(STRUCT|MAP|UNION|INTERVAL|BLOB|BYTEA|BIT|VARIANT|JSON)\b/i;

/** Checks that a map query's answer can be sorted by `columns`: each is there, of a type that sorts. */
export function checkSortSchema(schema: TableSchema, columns: readonly string[], label: string): void {
  for (const column of columns) {
    const at = schema.columns.indexOf(column);
    if (at < 0) throw new QueryError(`${label}: its answer has no column "${column}" to sort by (it has ${schema.columns.join(', ')})`);
    if (UNSORTABLE.test(schema.types[at])) throw new QueryError(`${label}: cannot sort by column "${column}" of type ${schema.types[at]}; sort by a column of a plain type (cast it)`);
  }
}

/** The reduce query (default: every row of the one input) over one partition's tables. */
export async function reduceTables(query: string | undefined, schemas: Record<string, TableSchema>, tables: Record<string, Row[]>): Promise<Rows> {
  const names = Object.keys(schemas);
  if (query === undefined && names.length !== 1) throw new KernelInputError('sql: a shuffle of several inputs needs a reduce query to join them');
  return withEngine(async (engine) => {
    for (const name of names) await loadRows(engine, name, schemas[name], tables[name] ?? []);
    await engine.lockDown();
    return engine.query(query ?? `SELECT * FROM ${ident(names[0])}`, 'reduce');
  });
}

/** Checks the reduce query against the map queries' answers, before the job exists. */
export async function describeReduce(query: string, schemas: Record<string, TableSchema>): Promise<TableSchema> {
  return withEngine(async (engine) => {
    for (const [name, schema] of Object.entries(schemas)) await engine.exec(emptyTableSql(name, schema.columns, schema.types));
    await engine.lockDown();
    return engine.describe(query, 'reduce');
  });
}

const COPY_OPTIONS: Record<PartFormat, string> = { parquet: 'FORMAT parquet', csv: 'FORMAT csv, HEADER true', jsonl: 'FORMAT json' };

/** One part in `format`, written by DuckDB with the rows' own types. */
export async function writeRows(rows: Rows, format: PartFormat): Promise<Uint8Array> {
  if (!rows.types) throw new Error('sql: a part\'s rows come without their types');
  const schema = { columns: rows.columns, types: rows.types };
  return withEngine(async (engine) => {
    await loadRows(engine, 'part', schema, rows.rows);
    const path = join(engine.dir, `part.${format}`);
    await engine.exec(`COPY ${ident('part')} TO ${literal(path)} (${COPY_OPTIONS[format]})`);
    return readFile(path);
  });
}
