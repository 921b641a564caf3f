// A Parquet object's footer (its FileMetaData, Thrift compact protocol), read once when the job is created: it says
// where each row group's column chunks lie, so the input is cut by row groups then; and each task gets the footer cut
// down to the row groups it owns (the schema and everything else kept byte for byte), so that it reads no footer
// itself and holds the metadata of its own row groups only. The protocol is small enough to walk here: a reader needs
// only the row groups' offsets and row counts, and a cut footer is the original's fields with one list shortened.
import { RecordFormatError } from './errors.ts';
import type { ByteReader, ObjectSlice } from './objects.ts';

/** The first read from an object's end: most footers fit, so one GET gets it. */
const TAIL_BYTES = 64 * 2 ** 10;
const MAGIC = Buffer.from('PAR1', 'latin1');

// Thrift compact protocol types.
const STOP = 0;
const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;
const UUID = 13;

// FileMetaData's fields, RowGroup's, ColumnChunk's, ColumnMetaData's (parquet.thrift).
const FILE_NUM_ROWS = 3;
const FILE_ROW_GROUPS = 4;
const GROUP_COLUMNS = 1;
const GROUP_NUM_ROWS = 3;
const CHUNK_META = 3;
const META_PATH = 3;
const META_COMPRESSED_SIZE = 7;
const META_DATA_PAGE = 9;
const META_DICTIONARY_PAGE = 11;

type Value = number | boolean | Buffer | Value[] | Struct | Map<Value, Value>;
type Struct = Map<number, Value>;

/** One column chunk of a row group: its leaf column's path and its bytes [start, end) in the object. */
export interface ColumnChunkRange {
  path: string[];
  start: number;
  end: number;
}

/** One row group: its rows and where its column chunks lie; [start, end) spans them all. */
export interface RowGroupRange {
  rows: number;
  start: number;
  end: number;
  chunks: ColumnChunkRange[];
}

function notParquet(name: string, why: string): RecordFormatError {
  return new RecordFormatError(name, `is not a Parquet file: ${why}`);
}

class CompactReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('the footer ends inside a value');
    return this.buf[this.pos++];
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
      scale *= 128;
    }
  }

  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  value(type: number): Value {
    switch (type) {
      case BOOL_TRUE:
        return true;
      case BOOL_FALSE:
        return false;
      case BYTE:
        return this.byte();
      case I16:
      case I32:
      case I64:
        return this.zigzag();
      case DOUBLE:
        this.pos += 8;
        return this.buf.readDoubleLE(this.pos - 8);
      case BINARY: {
        const length = this.varint();
        this.pos += length;
        if (this.pos > this.buf.length) throw new RangeError('the footer ends inside a string');
        return this.buf.subarray(this.pos - length, this.pos);
      }
      case UUID:
        this.pos += 16;
        return this.buf.subarray(this.pos - 16, this.pos);
      case LIST:
      case SET: {
        const { size, type: element } = this.listHeader();
        const out: Value[] = [];
        // A bool in a list is a byte of its own.
        for (let i = 0; i < size; i++) out.push(element === BOOL_TRUE || element === BOOL_FALSE ? this.byte() === BOOL_TRUE : this.value(element));
        return out;
      }
      case MAP: {
        const size = this.varint();
        const out = new Map<Value, Value>();
        if (size === 0) return out;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) out.set(this.value(kinds >> 4), this.value(kinds & 0x0f));
        return out;
      }
      case STRUCT:
        return this.struct();
      default:
        throw new RangeError(`unknown Thrift type ${type}`);
    }
  }

  listHeader(): { size: number; type: number } {
    const header = this.byte();
    const size = header >> 4 === 15 ? this.varint() : header >> 4;
    return { size, type: header & 0x0f };
  }

  /** A struct's fields, each with where its value lies. */
  fields(): Array<{ id: number; type: number; start: number; end: number; value: Value }> {
    const out = [];
    let id = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === STOP) return out;
      id = header >> 4 === 0 ? this.zigzag() : id + (header >> 4);
      const start = this.pos;
      const value = this.value(type);
      out.push({ id, type, start, end: this.pos, value });
    }
  }

  struct(): Struct {
    return new Map(this.fields().map((f) => [f.id, f.value]));
  }
}

class CompactWriter {
  private readonly parts: Buffer[] = [];
  private lastId = 0;

  private varint(n: number): void {
    const bytes: number[] = [];
    while (n >= 128) {
      bytes.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    this.parts.push(Buffer.from(bytes));
  }

  fieldHeader(id: number, type: number): void {
    const delta = id - this.lastId;
    if (delta > 0 && delta <= 15) this.parts.push(Buffer.from([(delta << 4) | type]));
    else {
      this.parts.push(Buffer.from([type]));
      this.varint(id < 0 ? -2 * id - 1 : 2 * id);
    }
    this.lastId = id;
  }

  i64(n: number): void {
    this.varint(n < 0 ? -2 * n - 1 : 2 * n);
  }

  listHeader(size: number, type: number): void {
    if (size < 15) this.parts.push(Buffer.from([(size << 4) | type]));
    else {
      this.parts.push(Buffer.from([0xf0 | type]));
      this.varint(size);
    }
  }

  raw(bytes: Buffer): void {
    this.parts.push(bytes);
  }

  end(): Buffer {
    this.parts.push(Buffer.from([STOP]));
    return Buffer.concat(this.parts);
  }
}

async function readBytes(read: ByteReader, slice: ObjectSlice & { end: number }): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of read.readRange(slice)) parts.push(chunk);
  return Buffer.concat(parts);
}

/** The object's footer (FileMetaData), by one ranged GET from its end (two when it is longer than 64 KiB). */
export async function readParquetFooter(read: ByteReader, object: ObjectSlice & { size: number }): Promise<Buffer> {
  const { size } = object;
  if (size < 12) throw notParquet(object.object, 'it is too short');
  const tailStart = Math.max(0, size - TAIL_BYTES);
  let tail = await readBytes(read, { ...object, start: tailStart, end: size });
  if (!tail.subarray(tail.length - 4).equals(MAGIC)) throw notParquet(object.object, 'it does not end in "PAR1"');
  const footerLength = tail.readUInt32LE(tail.length - 8);
  const footerStart = size - 8 - footerLength;
  if (footerStart < 4) throw notParquet(object.object, 'its footer length is past its start');
  if (footerStart < tailStart) tail = Buffer.concat([await readBytes(read, { ...object, start: footerStart, end: tailStart }), tail]);
  return tail.subarray(tail.length - 8 - footerLength, tail.length - 8);
}

function topFields(footer: Buffer, name: string) {
  try {
    return new CompactReader(footer).fields();
  } catch (err) {
    throw notParquet(name, `its footer cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
}

const num = (v: Value | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

/** Each row group's rows and column chunks, in file order. */
export function parquetRowGroups(footer: Buffer, name = 'the Parquet object'): RowGroupRange[] {
  const groups = topFields(footer, name).find((f) => f.id === FILE_ROW_GROUPS)?.value;
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) throw notParquet(name, 'its footer has no list of row groups');
  return groups.map((g, i) => {
    const group = g as Struct;
    const chunks = ((group.get(GROUP_COLUMNS) ?? []) as Struct[]).map((chunk): ColumnChunkRange => {
      const meta = chunk.get(CHUNK_META) as Struct | undefined;
      if (!meta) throw notParquet(name, `row group ${i} has a column chunk without its metadata`);
      const dictionary = num(meta.get(META_DICTIONARY_PAGE));
      const data = num(meta.get(META_DATA_PAGE)) ?? 0;
      // Some writers put 0 for "no dictionary page".
      const start = dictionary !== undefined && dictionary > 0 ? Math.min(dictionary, data) : data;
      const path = ((meta.get(META_PATH) ?? []) as Buffer[]).map((p) => p.toString('utf8'));
      return { path, start, end: start + (num(meta.get(META_COMPRESSED_SIZE)) ?? 0) };
    });
    const rows = num(group.get(GROUP_NUM_ROWS)) ?? 0;
    return { rows, start: Math.min(...chunks.map((c) => c.start)), end: Math.max(...chunks.map((c) => c.end)), chunks };
  });
}

/**
 * The footer with only row groups `keep` (indices in file order) and the file's row count theirs: a valid footer of a
 * file holding those row groups at their own offsets. Every other field is copied byte for byte.
 */
export function cutFooter(footer: Buffer, keep: readonly number[], name = 'the Parquet object'): Buffer {
  const fields = topFields(footer, name);
  const groups = (fields.find((f) => f.id === FILE_ROW_GROUPS)?.value ?? []) as Struct[];
  const rows = keep.reduce((sum, i) => sum + (num(groups[i]?.get(GROUP_NUM_ROWS)) ?? 0), 0);
  const out = new CompactWriter();
  for (const f of fields) {
    out.fieldHeader(f.id, f.type);
    if (f.id === FILE_NUM_ROWS) out.i64(rows);
    else if (f.id === FILE_ROW_GROUPS) {
      // Each row group's own bytes, found by walking the list again (the decoded values do not keep their spans).
      const r = new CompactReader(footer, f.start);
      const { size, type } = r.listHeader();
      const spans: Array<[number, number]> = [];
      for (let i = 0; i < size; i++) {
        const from = r.pos;
        r.value(type);
        spans.push([from, r.pos]);
      }
      out.listHeader(keep.length, STRUCT);
      for (const i of keep) out.raw(footer.subarray(spans[i][0], spans[i][1]));
    } else out.raw(footer.subarray(f.start, f.end));
  }
  return out.end();
}

/** What a Parquet file ends with after its row groups: the footer, its length, the magic. */
export function footerTail(footer: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footer.length);
  return Buffer.concat([footer, length, MAGIC]);
}

export const PARQUET_MAGIC = MAGIC;
