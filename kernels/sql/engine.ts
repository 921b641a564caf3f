// DuckDB, embedded, as every step of the `sql` kernel uses it: one in-memory database per step, its input loaded while
// files may still be read, then locked down (no file, network, extension or setting reachable, and the lock itself
// locked) before any query of the user's runs. Loaded on first use: the kernel's module must load without it (the
// deployer checks the bundle in a plain `node`).
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelInputError } from '../types.ts';

type DuckDB = typeof import('@duckdb/node-api');

let loaded: Promise<DuckDB> | undefined;

function duckdb(): Promise<DuckDB> {
  return (loaded ??= import('@duckdb/node-api'));
}

/** A query's answer: column names, DuckDB's type of each (SQL text, e.g. `DECIMAL(18,3)`), rows of JSON values. */
export interface Table {
  columns: string[];
  types: string[];
  rows: unknown[][];
}

export interface Engine {
  readonly connection: DuckDBConnection;
  /** A private directory for this step's files (the input's slice), under the process's temp dir. */
  readonly dir: string;
  /** Runs SQL of the kernel's own (loading the input, defining tables), never a user's. */
  exec(sql: string): Promise<void>;
  /** From now on no file, URL, extension or setting can be reached by any statement. */
  lockDown(): Promise<void>;
  /** The user's query `sql` (named `label` in messages): exactly one SELECT, run under the lock. */
  query(sql: string, label: string): Promise<Table>;
  /** The columns and types `sql` would answer, without running it; a bad query is KernelInputError naming `label`. */
  describe(sql: string, label: string): Promise<Pick<Table, 'columns' | 'types'>>;
  close(): Promise<void>;
}

/** A user's query DuckDB refused (a syntax error, an unknown column, a forbidden operation): the message is DuckDB's. */
export class QueryError extends KernelInputError {
  /** The same query over the same slice fails the same way: a task failing with it fails its job at once. */
  readonly retryable = false;
}

function firstLines(message: string): string {
  return message.split('\n').filter((l) => l.trim() !== '').slice(0, 3).join(' ').replace(/\s+/g, ' ');
}

const NUMERIC_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);

/**
 * JSON values of a row as DuckDB's JSON conversion gives them (DECIMAL and dates as text, lists as arrays, structs as
 * objects), with integers as numbers when they are exactly representable (|n| <= 2^53 - 1) and as strings beyond.
 */
function jsonRows(rows: unknown[][], types: string[]): unknown[][] {
  const integer = types.map((t) => NUMERIC_TYPES.has(t));
  if (!integer.includes(true)) return rows;
  return rows.map((row) =>
    row.map((v, i) => {
      if (!integer[i] || typeof v !== 'string') return v;
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v;
    }),
  );
}

/** Opens a fresh in-memory database: one thread, its spill files in its own temp directory, no extension downloads. */
export async function openEngine(): Promise<Engine> {
  const { DuckDBInstance } = await duckdb();
  const dir = await mkdtemp(join(tmpdir(), 'supercompute-sql-'));
  let instance: DuckDBInstance | undefined;
  try {
    instance = await DuckDBInstance.create(':memory:', {
      threads: '1',
      temp_directory: join(dir, 'spill'),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      extension_directory: join(dir, 'extensions'),
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const connection = await instance.connect();
  const db = instance;
  let locked = false;
  const prepareSelect = async (sql: string, label: string) => {
    if (!locked) throw new Error('a query ran before the engine was locked down');
    if (typeof sql !== 'string' || sql.trim() === '') throw new QueryError(`${label}: the query is empty`);
    let prepared;
    try {
      prepared = await connection.prepare(sql);
    } catch (err) {
      throw new QueryError(`${label}: ${firstLines(err instanceof Error ? err.message : String(err))}`);
    }
    const { StatementType } = await duckdb();
    if (prepared.statementType !== StatementType.SELECT) {
      prepared.destroySync();
      throw new QueryError(`${label}: only a SELECT query is allowed, got a ${StatementType[prepared.statementType] ?? 'other'} statement`);
    }
    return prepared;
  };
  return {
    connection,
    dir,
    async exec(sql) {
      await connection.run(sql);
    },
    async lockDown() {
      await connection.run('SET enable_external_access = false');
      await connection.run('SET allow_community_extensions = false');
      await connection.run('SET lock_configuration = true');
      locked = true;
    },
    async query(sql, label) {
      const prepared = await prepareSelect(sql, label);
      let reader;
      try {
        reader = await prepared.runAndReadAll();
      } catch (err) {
        throw new QueryError(`${label}: ${firstLines(err instanceof Error ? err.message : String(err))}`);
      }
      const types = reader.columnTypes().map((t) => t.toString());
      return { columns: reader.columnNames(), types, rows: jsonRows(reader.getRowsJson() as unknown[][], types) };
    },
    async describe(sql, label) {
      await prepareSelect(sql, label);
      const reader = await connection.runAndReadAll(`DESCRIBE ${sql}`);
      const rows = reader.getRowObjectsJson() as Array<{ column_name: string; column_type: string }>;
      return { columns: rows.map((r) => r.column_name), types: rows.map((r) => r.column_type) };
    },
    async close() {
      connection.closeSync();
      db.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with a fresh engine, closed (and its files removed) however `fn` ends. */
export async function withEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine();
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** `name` as a SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `text` as a SQL string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A table `name` with these columns and no rows. */
export function emptyTableSql(name: string, columns: readonly string[], types: readonly string[]): string {
  return `CREATE TABLE ${ident(name)} (${columns.map((c, i) => `${ident(c)} ${types[i]}`).join(', ')})`;
}
