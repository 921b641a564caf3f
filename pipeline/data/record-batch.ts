// A batch of whole records as bytes: what `task.batches` gives a kernel that reads at the speed of the bytes rather than
// one string per line. The records are never decoded unless asked; their offsets are found (natively, by
// Buffer.indexOf) only when first asked for, so a kernel that scans the bytes itself pays for nothing else.

const NEWLINE = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;

/**
 * Whole records (lines) that one task owns, in order: each ends in '\n' (or "\r\n"), except a last line of an object
 * that has no final newline. A batch never holds part of a record.
 */
export interface RecordBatch {
  /**
   * The records' bytes, newlines included. Lent: valid until the next batch is asked for, when the reader reuses its
   * buffer (as DuckDB's and Arrow's readers reuse theirs); copy what you keep (`Buffer.from(batch.bytes)`).
   */
  readonly bytes: Buffer;
  /** Where `bytes[0]` lies in its object (so `offset + start(i)` is record i's byte in the object). */
  readonly offset: number;
  /** The object's name (`s3://BUCKET/KEY` or the URL). */
  readonly object: string;
  /** Where each record starts in `bytes`, and `bytes.length` after the last: `count + 1` offsets (found when first asked). */
  readonly starts: Uint32Array;
  /** How many records. */
  readonly count: number;
  /**
   * A CSV input with a header: its column names, in field order (read once when the job was created, see
   * pipeline/data/csv-header.ts); absent otherwise. The header line itself is still the first object's first record.
   */
  readonly columns?: readonly string[];
  /** The field index of column `name` (for `fields`); throws naming the columns when the input has no such column. */
  column(name: string): number;
  start(i: number): number;
  end(i: number): number;
  record(i: number): Buffer;
  text(i: number): string;
  /**
   * Record i's fields, split at `separator` (a byte, ',' by default; no quoting): their [start, end) in `bytes` written
   * as pairs into `into` (`into[2k]`, `into[2k + 1]`), which must hold two numbers per field. Answers the field count
   * (at most `into.length / 2`; the last field found then runs to the record's end).
   */
  fields(i: number, into: Uint32Array | number[], separator?: number): number;
}

/** A RecordBatch over a buffer of whole records. */
export class LineBatch implements RecordBatch {
  private lineStarts?: Uint32Array;
  private static readonly decoder = new TextDecoder('utf-8');

  constructor(
    readonly bytes: Buffer,
    readonly offset: number,
    readonly object: string,
    readonly columns?: readonly string[],
  ) {}

  column(name: string): number {
    const i = this.columns?.indexOf(name) ?? -1;
    if (i >= 0) return i;
    throw new Error(
      this.columns
        ? `${this.object} has no column "${name}" (its header names ${this.columns.map((c) => `"${c}"`).join(', ')})`
        : `${this.object} has no named columns (a CSV whose first line is a header names them)`,
    );
  }

  get starts(): Uint32Array {
    if (!this.lineStarts) {
      const bytes = this.bytes;
      const found: number[] = [0];
      for (let nl = bytes.indexOf(NEWLINE); nl >= 0 && nl + 1 < bytes.length; nl = bytes.indexOf(NEWLINE, nl + 1)) found.push(nl + 1);
      if (bytes.length > 0) found.push(bytes.length);
      this.lineStarts = Uint32Array.from(found);
    }
    return this.lineStarts;
  }

  get count(): number {
    return this.starts.length - 1;
  }

  start(i: number): number {
    return this.starts[i];
  }

  end(i: number): number {
    const start = this.starts[i];
    let end = this.starts[i + 1];
    if (end > start && this.bytes[end - 1] === NEWLINE) end--;
    if (end > start && this.bytes[end - 1] === CR) end--;
    return end;
  }

  record(i: number): Buffer {
    return this.bytes.subarray(this.starts[i], this.end(i));
  }

  text(i: number): string {
    return LineBatch.decoder.decode(this.record(i));
  }

  fields(i: number, into: Uint32Array | number[], separator = COMMA): number {
    const bytes = this.bytes;
    const end = this.end(i);
    const most = Math.floor(into.length / 2);
    let from = this.starts[i];
    let n = 0;
    while (n < most) {
      let cut = n + 1 === most ? -1 : bytes.indexOf(separator, from);
      if (cut < 0 || cut > end) cut = end;
      into[2 * n] = from;
      into[2 * n + 1] = cut;
      n++;
      if (cut === end) break;
      from = cut + 1;
    }
    return n;
  }
}
