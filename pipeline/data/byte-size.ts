// Sizes as people write them: `4096`, `64MiB`, `1GB`, `512k`. Units follow GNU coreutils: KB, MB, GB, TB are powers of
// 1000; K, M, G, T and KiB, MiB, GiB, TiB are powers of 1024. (npm's `bytes` reads KB as 1024 and knows no KiB.)
import { InputSpecError } from './errors.ts';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** A positive whole number of bytes, from a number or a string with an optional unit; throws InputSpecError naming `field`. */
export function parseByteSize(raw: unknown, field: string): number {
  const bad = (why: string) => new InputSpecError(`${field} must be a size in bytes such as 4096, 64MiB or 1GB; ${JSON.stringify(raw)} ${why}`);
  let bytes: number;
  if (typeof raw === 'number') {
    bytes = raw;
  } else if (typeof raw === 'string') {
    const match = SIZE.exec(raw.trim());
    if (!match) throw bad('is not one');
    const unit = UNITS[match[2].toLowerCase()];
    if (unit === undefined) throw bad(`has an unknown unit (known: B, KB, MB, GB, TB, K, M, G, T, KiB, MiB, GiB, TiB)`);
    bytes = Number(match[1]) * unit;
  } else {
    throw bad('is not one');
  }
  if (!Number.isFinite(bytes)) throw bad('is not one');
  if (bytes <= 0) throw bad('is not positive');
  if (!Number.isInteger(bytes)) throw bad('is not a whole number of bytes');
  if (!Number.isSafeInteger(bytes)) throw bad('is too large');
  return bytes;
}

/** Bytes as a short text for messages: `16 MiB`, `1500 bytes`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
