// `--param key=value` values, read the way `wsk -p` reads them: JSON when the value parses as JSON, else a string.
import { integerOf } from '../pipeline/job/integer.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseParam(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param expects key=value, got ${JSON.stringify(text)}`);
  const key = text.slice(0, eq).trim();
  if (key === '' || /\s/.test(key)) throw new UsageError(`--param expects key=value, got ${JSON.stringify(text)}`);
  return [key, parseValue(key, text.slice(eq + 1))];
}

/** Numbers (`1e9`), booleans, null, objects and arrays are JSON; other text stays a string. */
export function parseValue(key: string, raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed === '') return '';
  try {
    return JSON.parse(trimmed);
  } catch {
    if (/^[[{"]/.test(trimmed)) {
      throw new UsageError(`--param ${key}: ${JSON.stringify(raw)} looks like JSON but does not parse`);
    }
    return raw;
  }
}

/**
 * Sets `key` as an own property, whatever its name: assigning `__proto__` would replace the object's prototype and
 * drop the key, so a parameter the job's parser refuses (REST answers `unknown field "__proto__"`) would vanish here.
 */
function setParam(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

export function parseParams(list: string[] = [], json?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new UsageError(`--params must be a JSON object, got ${JSON.stringify(json)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`--params must be a JSON object, got ${JSON.stringify(json)}`);
    }
    for (const [key, value] of Object.entries(parsed)) setParam(out, key, value);
  }
  for (const item of list) {
    const [key, value] = parseParam(item);
    setParam(out, key, value);
  }
  return out;
}

/** Commander's collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = integerOf(raw);
  if (n === undefined || n < 1) throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function nonNegativeInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = integerOf(raw);
  if (n === undefined || n < 0) throw new UsageError(`${name} must be an integer >= 0, got ${JSON.stringify(raw)}`);
  return n;
}

export function nonNegativeNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return n;
}
