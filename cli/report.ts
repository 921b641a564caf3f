// Human-readable results and timings.
import { pngOf } from '../pipeline/views/png.ts';

const LONG_STRING = 200;

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Long strings (images as base64, say) are cut short: print with --json for all of it. */
function shorten(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.length > LONG_STRING) {
    return `${value.slice(0, 60)}... (${value.length} characters; --json or --out FILE has all of it)`;
  }
  return value;
}

/** An image's base64 is no use on a terminal: its size and where to get it instead. */
function describeImage(png: string, where: string): string {
  const bytes = Math.floor((png.length * 3) / 4);
  return `a PNG image of ${(bytes / 1024).toFixed(0)} KiB (${where})`;
}

/**
 * A result for `result:` + this: a scalar on the same line, an object on the lines below. A PNG in it is described
 * instead, with `imageWhere` saying where it is and how to save it.
 */
export function formatResult(result: unknown, imageWhere = 'print with --json for its base64', terminal = process.stdout.isTTY === true): string {
  const png = pngOf(result);
  const show = (key: string, value: unknown): unknown => (png !== undefined && value === png ? describeImage(png, imageWhere) : shorten(key, value));
  if (typeof result === 'number') return ` ${formatNumber(result)}`;
  if (typeof result === 'string') return ` ${String(show('', result))}`;
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const entries = Object.entries(result);
    if (entries.every(([, v]) => v === null || typeof v !== 'object')) {
      return entries.map(([k, v]) => `\n  ${k}: ${typeof v === 'number' ? formatNumber(v) : String(show(k, v))}`).join('');
    }
  }
  // Nested results: a few readable lines on a terminal; the whole JSON into a pipe (and with --json).
  if (terminal) return summarizeResult(result, show);
  return '\n' + JSON.stringify(result, show, 2).replace(/^/gm, '  ');
}

/** Rows shown of a list or table on a terminal; the rest is counted (`--json` has them all). */
const SUMMARY_ROWS = 10;
type Show = (key: string, value: unknown) => unknown;

const isScalar = (v: unknown): boolean => v === null || typeof v !== 'object';
const cell = (v: unknown, show: Show, key = ''): string => (typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? String(show(key, v)) : JSON.stringify(v) ?? 'null');

/** Rows as aligned columns, at most SUMMARY_ROWS of them, with a count of the rest. */
function tableLines(header: string[] | undefined, rows: string[][], total: number, indent: string): string[] {
  const all = header ? [header, ...rows] : rows;
  const widths = all.reduce<number[]>((w, row) => row.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  const line = (row: string[]) => indent + row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = all.map(line);
  if (total > rows.length) out.push(`${indent}… and ${formatNumber(total - rows.length)} more (--json for all)`);
  return out;
}

/** One value's lines under its key: a table for lists of tuples or records and for {columns, rows}, else one line. */
function valueLines(key: string, value: unknown, show: Show, indent: string): string[] {
  if (isScalar(value)) return [`${indent}${key}: ${cell(value, show, key)}`];
  const table = value as { columns?: unknown; rows?: unknown };
  if (Array.isArray(table.columns) && Array.isArray(table.rows)) {
    const rows = (table.rows as unknown[][]).slice(0, SUMMARY_ROWS).map((r) => r.map((c) => cell(c, show)));
    return [`${indent}${key}: ${formatNumber(table.rows.length)} rows`, ...tableLines(table.columns.map(String), rows, table.rows.length, indent + '  ')];
  }
  if (Array.isArray(value)) {
    const shown = value.slice(0, SUMMARY_ROWS);
    if (shown.every((r) => Array.isArray(r) && r.every(isScalar))) {
      return [`${indent}${key}: ${formatNumber(value.length)} items`, ...tableLines(undefined, (shown as unknown[][]).map((r) => r.map((c) => cell(c, show))), value.length, indent + '  ')];
    }
    if (shown.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r) && Object.values(r).every(isScalar))) {
      const columns = [...new Set(shown.flatMap((r) => Object.keys(r as object)))];
      const rows = shown.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c], show, c)));
      return [`${indent}${key}: ${formatNumber(value.length)} items`, ...tableLines(columns, rows, value.length, indent + '  ')];
    }
    if (value.every(isScalar)) return [`${indent}${key}: ${shown.map((v) => cell(v, show)).join(', ')}${value.length > shown.length ? `, … and ${formatNumber(value.length - shown.length)} more` : ''}`];
  } else {
    const entries = Object.entries(value as object);
    const lines = entries.slice(0, SUMMARY_ROWS).flatMap(([k, v]) => valueLines(k, v, show, indent + '  '));
    return [`${indent}${key}:`, ...lines, ...(entries.length > SUMMARY_ROWS ? [`${indent}  … and ${formatNumber(entries.length - SUMMARY_ROWS)} more (--json for all)`] : [])];
  }
  const json = JSON.stringify(value, show);
  return [`${indent}${key}: ${json.length > LONG_STRING ? `${json.slice(0, LONG_STRING)}… (--json for all)` : json}`];
}

/** A nested result as a terminal's reader wants it: scalars as `key: value`, lists as short tables. */
export function summarizeResult(result: unknown, show: Show = shorten): string {
  if (isScalar(result)) return ` ${cell(result, show)}`;
  const top = Array.isArray(result) || ('columns' in (result as object) && 'rows' in (result as object)) ? { result } : (result as object);
  return '\n' + Object.entries(top).flatMap(([k, v]) => valueLines(k, v, show, '  ')).join('\n');
}

const EPOCH_MS = 1e12; // numbers this large are timestamps (ms since 1970), shown relative to the earliest one

/** Timings as lines: timestamps as offsets from the first one, numbers under `...Ms` keys as durations. */
export function formatTimings(timings: unknown): string[] {
  const flat: [string, unknown][] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    } else if (value !== undefined) {
      flat.push([path, value]);
    }
  };
  walk(timings, '');
  const stamps = flat.map(([, v]) => v).filter((v): v is number => typeof v === 'number' && v > EPOCH_MS);
  const origin = stamps.length > 0 ? Math.min(...stamps) : 0;
  const width = Math.max(0, ...flat.map(([k]) => k.length));
  return flat.map(([key, value]) => {
    let text: string;
    if (typeof value !== 'number') text = JSON.stringify(value);
    else if (value > EPOCH_MS) text = value === origin ? new Date(value).toISOString() : `+${formatMs(value - origin)}`;
    else if (/ms$/i.test(key)) text = formatMs(value);
    else text = formatNumber(value);
    return `  ${key.padEnd(width)}  ${text}`;
  });
}
