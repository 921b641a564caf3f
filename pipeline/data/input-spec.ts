// A job's data input as its submitter writes it: `s3://BUCKET/KEY` (one object), `s3://BUCKET/PREFIX/` or
// `s3://BUCKET` (every object under the prefix), `http(s)://…` (one URL), or a list of these.
import { InputSpecError } from './errors.ts';

export type DataSource =
  | { kind: 's3-object'; bucket: string; key: string }
  | { kind: 's3-prefix'; bucket: string; prefix: string }
  | { kind: 'url'; url: string };

// S3's bucket naming rules (3–63 characters of lower-case letters, digits, dots and hyphens, starting and ending
// with a letter or digit).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_SOURCES = 10_000;

/** The sources named by a data input (a string or a list of strings); throws InputSpecError naming `field`. */
export function parseDataInput(raw: unknown, field = 'input'): DataSource[] {
  const items = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
  if (!items || items.length === 0) throw new InputSpecError(`${field} must be an s3:// or http(s):// URL, or a non-empty list of them`);
  if (items.length > MAX_SOURCES) throw new InputSpecError(`${field} lists ${items.length} sources; at most ${MAX_SOURCES}`);
  return items.map((item, i) => {
    const where = items.length === 1 ? field : `${field}[${i}]`;
    if (typeof item !== 'string') throw new InputSpecError(`${where} must be a string, got ${JSON.stringify(item)}`);
    return parseSource(item.trim(), where);
  });
}

function parseSource(text: string, where: string): DataSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1].toLowerCase();
  if (scheme === 's3') return parseS3(text, where);
  if (scheme === 'http' || scheme === 'https') {
    try {
      return { kind: 'url', url: new URL(text).href };
    } catch {
      throw new InputSpecError(`${where}: ${JSON.stringify(text)} is not a valid URL`);
    }
  }
  throw new InputSpecError(`${where}: ${JSON.stringify(text)} is not an s3://BUCKET/KEY, s3://BUCKET/PREFIX/ or http(s):// URL`);
}

function parseS3(text: string, where: string): DataSource {
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) throw new InputSpecError(`${where}: ${JSON.stringify(bucket)} is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)`);
  if (path === '' || path.endsWith('/')) return { kind: 's3-prefix', bucket, prefix: path };
  return { kind: 's3-object', bucket, key: path };
}

/** A source as messages name it. */
export function sourceName(source: DataSource): string {
  if (source.kind === 's3-object') return `s3://${source.bucket}/${source.key}`;
  if (source.kind === 's3-prefix') return `s3://${source.bucket}/${source.prefix}`;
  return source.url;
}
