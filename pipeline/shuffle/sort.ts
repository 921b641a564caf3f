// Range partitioning for a sort (`sortBy`): keys compared as DuckDB's ORDER BY compares them, each map task's rows
// sorted into one run with a sparse index (every n-th row's key and byte offset), split points drawn from all the
// runs' indexes once the map stage is done, and the byte range of a run that holds one reducer's key range.
//
// Order, as DuckDB's defaults have it: numbers as numbers (integers beyond 2^53 exactly, DECIMAL by value, NaN after
// every other number), strings by their UTF-8 bytes (DuckDB's default collation is binary), false before true, dates
// and times by their ISO text, and NULL last whichever the direction.
import type { Rows } from '../../kernels/types.ts';
import { HttpError } from '../openwhisk/http.ts';
import { RowsError } from './rows.ts';

export interface SortColumn {
  column: string;
  desc: boolean;
}

/** A sort key: the values of the sort columns, in order. */
export type SortKey = unknown[];

/** A run's index: every so many rows, that row's key and the byte offset of its line in the run. */
export interface RunIndex {
  /** [key, offset] in row order; the first is row 0 at offset 0. */
  entries: Array<[SortKey, number]>;
  /** Rows from each entry to the next (the last: to the run's end). */
  weights: number[];
  /** DuckDB's type of each sort column in the run, when the kernel knows them. */
  keyTypes?: string[];
}

/** `KEY`, `KEY DESC`, `A, B DESC`: the columns a request sorts by. */
export function parseSortBy(raw: unknown): SortColumn[] {
  const bad = () => new HttpError(400, `'sortBy' must name one or more columns, each optionally followed by ASC or DESC ("key", "key DESC", "a, b DESC"), got ${JSON.stringify(raw)}`);
  if (typeof raw !== 'string' || raw.trim() === '') throw bad();
  const columns = raw.split(',').map((part) => {
    const m = /^\s*([^\s",]{1,128})(?:\s+(ASC|DESC))?\s*$/i.exec(part);
    if (!m) throw bad();
    return { column: m[1], desc: (m[2] ?? '').toUpperCase() === 'DESC' };
  });
  const twice = columns.find((c, i) => columns.findIndex((d) => d.column === c.column) !== i);
  if (twice) throw new HttpError(400, `'sortBy' names column "${twice.column}" twice`);
  return columns;
}

export function sortByText(columns: readonly SortColumn[]): string {
  return columns.map((c) => (c.desc ? `${c.column} DESC` : c.column)).join(', ');
}

type Compare = (a: unknown, b: unknown) => number;

/** Strings by UTF-8 bytes: UTF-16 order, except that surrogates (code points past U+FFFF) come after U+E000..U+FFFF. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const fx = x <= 0xdfff ? x + 0x10000 : x;
      const fy = y <= 0xdfff ? y + 0x10000 : y;
      return fx < fy ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

const INTEGER = /^U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?$|^INT[1248]$|^(LONG|SHORT)$/i;
const FLOATING = /^(FLOAT|DOUBLE|REAL|FLOAT[48])$/i;
const DECIMAL = /^(DECIMAL|NUMERIC)\b/i;

function asBigInt(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? Math.trunc(v) : String(v));
}

const compareIntegers: Compare = (a, b) => {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = asBigInt(a);
  const y = asBigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Numbers whose JSON form may be text (NaN, Infinity): NaN after every other number, as DuckDB orders it. */
const compareFloats: Compare = (a, b) => {
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Decimal text ("-12.50") by value, exactly. */
export function compareDecimals(a: unknown, b: unknown): number {
  const parse = (v: unknown) => {
    const text = String(v).trim();
    const negative = text.startsWith('-');
    const [whole, fraction = ''] = text.replace(/^[-+]/, '').split('.');
    return { negative, whole: whole.replace(/^0+(?=\d)/, ''), fraction: fraction.replace(/0+$/, '') };
  };
  const x = parse(a);
  const y = parse(b);
  const zero = (d: typeof x) => /^0*$/.test(d.whole) && d.fraction === '';
  const sx = zero(x) ? 0 : x.negative ? -1 : 1;
  const sy = zero(y) ? 0 : y.negative ? -1 : 1;
  if (sx !== sy) return sx < sy ? -1 : 1;
  if (sx === 0) return 0;
  let magnitude = x.whole.length !== y.whole.length ? (x.whole.length < y.whole.length ? -1 : 1) : 0;
  if (magnitude === 0) magnitude = x.whole < y.whole ? -1 : x.whole > y.whole ? 1 : 0;
  if (magnitude === 0) magnitude = x.fraction < y.fraction ? -1 : x.fraction > y.fraction ? 1 : 0;
  return sx * magnitude;
}

const compareText: Compare = (a, b) => compareBytes(String(a), String(b));

const RANK: Record<string, number> = { boolean: 0, number: 1, bigint: 1, string: 2, object: 3 };

/** Values of no known type (a TypeScript kernel's rows): booleans, then numbers, then strings, then anything else. */
const compareAny: Compare = (a, b) => {
  const ra = RANK[typeof a] ?? 3;
  const rb = RANK[typeof b] ?? 3;
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra === 0) return a === b ? 0 : a ? 1 : -1;
  if (ra === 1) return compareIntegers(a, b);
  if (ra === 2) return compareBytes(a as string, b as string);
  return compareBytes(JSON.stringify(a), JSON.stringify(b));
};

function compareOfType(type: string | undefined): Compare {
  if (type === undefined) return compareAny;
  const t = type.trim();
  if (INTEGER.test(t)) return compareIntegers;
  if (FLOATING.test(t)) return compareFloats;
  if (DECIMAL.test(t)) return compareDecimals;
  if (/^BOOL(EAN)?$/i.test(t)) return compareAny;
  return compareText;
}

/** Compares sort keys (the sort columns' values) of these types (absent: not known), NULL last in both directions. */
export function keyComparator(sort: readonly SortColumn[], types?: readonly (string | undefined)[]): (a: SortKey, b: SortKey) => number {
  const compares = sort.map((_, i) => compareOfType(types?.[i]));
  const signs = sort.map((c) => (c.desc ? -1 : 1));
  return (a, b) => {
    for (let i = 0; i < compares.length; i++) {
      const x = a[i];
      const y = b[i];
      const nx = x === null || x === undefined;
      const ny = y === null || y === undefined;
      if (nx || ny) {
        if (nx && ny) continue;
        return nx ? 1 : -1;
      }
      const c = compares[i](x, y);
      if (c !== 0) return c * signs[i];
    }
    return 0;
  };
}

/** Where the sort columns are among `rows`' columns; `what` names the rows in the error when one is missing. */
export function sortColumnsIn(rows: Pick<Rows, 'columns'>, sort: readonly SortColumn[], what: string): number[] {
  return sort.map(({ column }) => {
    const at = rows.columns.indexOf(column);
    if (at < 0) throw new RowsError(`${what}: the rows have no column "${column}" to sort by (columns: ${rows.columns.join(', ') || 'none'})`);
    return at;
  });
}

/** `rows` sorted by the sort columns (stable: rows of equal keys keep their order), typed by `rows.types`. */
export function sortRows(rows: Rows, sort: readonly SortColumn[], what: string): Rows {
  const at = sortColumnsIn(rows, sort, what);
  const compare = keyComparator(sort, rows.types ? at.map((i) => rows.types![i]) : undefined);
  const keyed = rows.rows.map((row, i) => ({ key: at.map((c) => row[c]), row, i }));
  keyed.sort((a, b) => compare(a.key, b.key) || a.i - b.i);
  return { ...rows, rows: keyed.map((k) => k.row) };
}

/** A map task's sorted rows as one run (a JSON array per line) and its index of about `entries` rows. */
export function encodeRun(sorted: Rows, sort: readonly SortColumn[], entries: number, what: string): { body: Buffer; index: RunIndex } {
  const at = sortColumnsIn(sorted, sort, what);
  const step = Math.max(1, Math.ceil(sorted.rows.length / Math.max(1, entries)));
  const lines: Buffer[] = [];
  const index: RunIndex = { entries: [], weights: [], ...(sorted.types ? { keyTypes: at.map((i) => sorted.types![i]) } : {}) };
  let offset = 0;
  sorted.rows.forEach((row, i) => {
    const line = Buffer.from(`${JSON.stringify(row)}\n`);
    if (i % step === 0) {
      index.entries.push([at.map((c) => row[c] ?? null), offset]);
      index.weights.push(Math.min(step, sorted.rows.length - i));
    }
    lines.push(line);
    offset += line.length;
  });
  return { body: Buffer.concat(lines, offset), index };
}

/** Index entries per run: enough to balance R reducers and to read little past each one's range, bounded for M runs. */
export function runIndexEntries(reducers: number): number {
  return Math.min(4096, Math.max(256, 32 * reducers));
}

/**
 * R - 1 split points from every run's index: each entry stands for the rows up to the next, so the points cut the
 * rows into R nearly equal ranges by weight. Partition r holds the keys k with split[r-1] <= k < split[r]; every row
 * of a key falls in one partition, so a key repeated past a point makes that partition larger (and one between two
 * equal points empty), never splits the key.
 */
export function splitPoints(indexes: readonly RunIndex[], reducers: number, compare: (a: SortKey, b: SortKey) => number): SortKey[] {
  const samples = indexes.flatMap((ix) => ix.entries.map(([key], i) => ({ key, weight: ix.weights[i] })));
  if (reducers <= 1 || samples.length === 0) return [];
  samples.sort((a, b) => compare(a.key, b.key));
  const total = samples.reduce((n, s) => n + s.weight, 0);
  const splits: SortKey[] = [];
  let seen = 0;
  let next = 1;
  for (const s of samples) {
    seen += s.weight;
    while (next < reducers && seen >= (total * next) / reducers) {
      splits.push(s.key);
      next++;
    }
  }
  while (splits.length < reducers - 1) splits.push(samples[samples.length - 1].key);
  return splits;
}

/** The partition of key `key` among `splits`: how many split points are <= it. */
export function partitionOfKey(key: SortKey, splits: readonly SortKey[], compare: (a: SortKey, b: SortKey) => number): number {
  let lo = 0;
  let hi = splits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(splits[mid], key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The byte range [start, end) of a run of `size` bytes that holds every row with a key in [low, high) (absent: open):
 * from the last indexed row whose key is below `low`, to the first indexed row whose key is at or above `high`. It may
 * hold rows outside the range too, which the reader drops; undefined when it holds none of the range.
 */
export function runRange(index: RunIndex, size: number, low: SortKey | undefined, high: SortKey | undefined, compare: (a: SortKey, b: SortKey) => number): { start: number; end: number } | undefined {
  let start = 0;
  let end = size;
  for (const [key, offset] of index.entries) {
    if (low !== undefined && compare(key, low) < 0) start = offset;
    if (high !== undefined && compare(key, high) >= 0) {
      end = offset;
      break;
    }
  }
  return start < end ? { start, end } : undefined;
}
