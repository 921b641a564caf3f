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
export function formatResult(result: unknown, imageWhere = 'print with --json for its base64'): string {
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
  return '\n' + JSON.stringify(result, show, 2).replace(/^/gm, '  ');
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
