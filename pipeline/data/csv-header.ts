// A CSV input's column names, read once when the job is created from its first object's first line, and handed to
// every task with its slices (TaskInput.columns), so that a kernel's record batches name their fields
// (`batch.column('amount')`) without any task reading the header itself. The first line is a header when its fields
// are non-empty, distinct, and none of them is a number (as DuckDB's sniffer, a first line of text over the same
// columns is taken for a header): a CSV whose first line is data gives no names.
import type { ByteReader, ObjectInfo } from './objects.ts';

/** The most read to find the first line; a longer first line is no header. */
const HEADER_BYTES = 64 * 2 ** 10;
const NEWLINE = 0x0a;
const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Whether objects named so are CSV, their first line then read for a header: `*.csv` (`*.csv` in a URL's path). */
export function namedCsv(name: string): boolean {
  let path = name;
  try {
    path = new URL(name).pathname;
  } catch {
    // an s3:// name is its own path
  }
  return /\.csv$/i.test(path);
}

/** A header line's column names (split at commas, a field's surrounding double quotes removed), or undefined. */
export function headerColumns(line: string): string[] | undefined {
  const fields = line
    .replace(/\r$/, '')
    .split(',')
    .map((f) => f.trim().replace(/^"(.*)"$/s, '$1').replace(/""/g, '"'));
  if (fields.some((f) => f === '' || NUMBER.test(f))) return undefined;
  if (new Set(fields).size !== fields.length) return undefined;
  return fields;
}

/** The object's first line read (one ranged GET of at most 64 KiB) as a header: its column names, or undefined. */
export async function readCsvHeader(read: ByteReader, object: ObjectInfo): Promise<string[] | undefined> {
  const parts: Buffer[] = [];
  let length = 0;
  const end = object.ranges && object.size !== undefined ? Math.min(object.size, HEADER_BYTES) : undefined;
  for await (const chunk of read.readRange({ object: object.name, etag: object.etag, size: object.size, start: 0, end })) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const nl = bytes.indexOf(NEWLINE);
    parts.push(nl >= 0 ? bytes.subarray(0, nl) : bytes);
    length += nl >= 0 ? nl : bytes.length;
    if (nl >= 0 || length >= HEADER_BYTES) break;
  }
  if (length >= HEADER_BYTES) return undefined;
  let line: string;
  try {
    line = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts, length));
  } catch {
    return undefined;
  }
  return headerColumns(line);
}
