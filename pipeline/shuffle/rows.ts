// Rows as a shuffle moves them: a kernel's answer made into `Rows`, rows hash-partitioned by a key column, a
// partition's object (a header line naming its table, columns and types, then one JSON array per row) written and
// read back, and a part written as CSV or JSON lines.
import type { PartFormat, Row, Rows } from '../../kernels/types.ts';
import { KernelInputError } from '../../kernels/types.ts';

/** A kernel's rows that no attempt would make right (a missing key column): the job fails at once. */
export class RowsError extends KernelInputError {
  readonly retryable = false;
}

/** A kernel's answer (an array of row objects, or `Rows`) as `Rows`; `what` names it in errors. */
export function rowsOf(value: unknown, what: string): Rows {
  if (Array.isArray(value)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const row of value) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new RowsError(`${what}: every row must be a JSON object`);
      for (const c of Object.keys(row)) if (!seen.has(c)) (seen.add(c), columns.push(c));
    }
    return { columns, rows: (value as Row[]).map((r) => columns.map((c) => r[c] ?? null)) };
  }
  const r = value as Partial<Rows> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.columns) || !Array.isArray(r.rows)) {
    throw new RowsError(`${what}: a shuffle job's kernel must answer rows (an array of objects, or {columns, rows})`);
  }
  return { columns: r.columns, ...(Array.isArray(r.types) ? { types: r.types } : {}), rows: r.rows };
}

/** A stable 32-bit hash (FNV-1a) of a key's text: the same key lands in the same partition in every task and input. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A key's text: numbers and their decimal strings agree, so that a join key typed differently in two inputs meets. */
function keyText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function partitionOf(value: unknown, partitions: number): number {
  return hashOf(keyText(value)) % partitions;
}

/** The rows of each of `count` partitions, by the value of column `key`. */
export function partitionRows(rows: Rows, key: string, count: number, what: string): unknown[][][] {
  const at = rows.columns.indexOf(key);
  if (at < 0) throw new RowsError(`${what}: the rows have no column "${key}" to partition by (columns: ${rows.columns.join(', ') || 'none'})`);
  const parts: unknown[][][] = Array.from({ length: count }, () => []);
  for (const row of rows.rows) parts[partitionOf(row[at], count)].push(row);
  return parts;
}

interface PartitionHeader {
  table: string;
  columns: string[];
  types?: string[];
}

/** One partition of one map task's rows, as stored. */
export function encodePartition(table: string, rows: Rows, part: unknown[][]): Buffer {
  const header: PartitionHeader = { table, columns: rows.columns, ...(rows.types ? { types: rows.types } : {}) };
  const lines = [JSON.stringify(header)];
  for (const row of part) lines.push(JSON.stringify(row));
  return Buffer.from(lines.join('\n') + '\n');
}

/** A stored partition read back: its table and its rows as objects. */
export function decodePartition(bytes: Buffer, what: string): { table: string; columns: string[]; types?: string[]; rows: Row[] } {
  const lines = bytes.toString('utf8').split('\n').filter((l) => l !== '');
  if (lines.length === 0) throw new Error(`${what} is empty`);
  const header = JSON.parse(lines[0]) as PartitionHeader;
  const rows = lines.slice(1).map((l) => {
    const values = JSON.parse(l) as unknown[];
    return Object.fromEntries(header.columns.map((c, i) => [c, values[i]]));
  });
  return { ...header, rows };
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A part in a format the pipeline writes itself (CSV with a header, or JSON lines of objects). */
export function encodePart(rows: Rows, format: Exclude<PartFormat, 'parquet'>): Buffer {
  if (format === 'jsonl') {
    return Buffer.from(rows.rows.map((r) => JSON.stringify(Object.fromEntries(rows.columns.map((c, i) => [c, r[i] ?? null])))).map((l) => `${l}\n`).join(''));
  }
  const lines = [rows.columns.map(csvField).join(','), ...rows.rows.map((r) => r.map(csvField).join(','))];
  return Buffer.from(lines.join('\n') + '\n');
}
