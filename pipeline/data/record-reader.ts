// A task's records: the lines that start in its byte ranges, read with ranged GETs as they stream (never a whole
// object in memory), each range pinned to the object's ETag.
//
// The rule. A record starts at byte 0 or just after a '\n'. A slice [start, end) owns every record that starts at an
// offset in [start, end): it reads from start - 1 (when start > 0) and skips through the first '\n' at or after
// start - 1 (when the byte at start - 1 is '\n', that skips just that byte and the record at `start` is its own),
// then yields records while they start before `end`, reading past `end` to finish the last one (the first request
// reads up to `lookaheadBytes` past `end`, further ones twice as far each time, up to 8 MiB). Every record is thus
// owned by exactly one slice, wherever the cuts fall. Lines end in '\n' or "\r\n" (the '\r' is dropped); a last line
// without a newline is a record; an empty line is a record (""), the empty rest after a final newline is not.
// Records are decoded as UTF-8 one whole line at a time ('\n' never occurs inside a multi-byte character), and bytes
// that are not UTF-8 fail the read: use readChunks for binary data.
import { formatByteSize } from './byte-size.ts';
import { RecordFormatError, RecordTooLongError } from './errors.ts';
import type { ByteReader, ObjectSlice, TaskInput } from './objects.ts';

export const DEFAULT_MAX_RECORD_BYTES = 16 * 2 ** 20;

export interface RecordReaderOptions {
  /** The longest record accepted, in bytes (default 16 MiB); a longer one fails the read with RecordTooLongError. */
  maxRecordBytes?: number;
  /** How far past its slice's end the first read goes to finish the last record, bytes (default 64 KiB); each further read doubles it. */
  lookaheadBytes?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const MAX_LOOKAHEAD = 8 * 2 ** 20;

/** The records (lines) a task owns, in order, over all its slices. */
export async function* readRecords(reader: ByteReader, task: TaskInput, options: RecordReaderOptions = {}): AsyncGenerator<string> {
  for (const slice of task.slices) yield* readSliceRecords(reader, slice, options);
}

/** The raw bytes of a task's slices, exactly [start, end) of each, in order: for data that is not lines of text. */
export async function* readChunks(reader: ByteReader, task: TaskInput): AsyncGenerator<Uint8Array> {
  for (const slice of task.slices) yield* reader.readRange(slice);
}

/** The records one slice owns (see the rule above). */
export async function* readSliceRecords(reader: ByteReader, slice: ObjectSlice, options: RecordReaderOptions = {}): AsyncGenerator<string> {
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const { start, end, size } = slice;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // The offset of the first byte of the record being gathered; undefined while skipping the previous slice's record.
  let recordStart: number | undefined = start === 0 ? 0 : undefined;
  let pos = start === 0 ? 0 : start - 1;
  const tooLong = (): RecordTooLongError =>
    new RecordTooLongError(
      slice.object,
      recordStart === undefined
        ? `a record that starts before byte ${start} is longer than the limit of ${formatByteSize(max)}`
        : `the record at byte ${recordStart} is longer than the limit of ${formatByteSize(max)}`,
    );
  const record = (last: Uint8Array): string => {
    let bytes = pending.length === 0 ? last : Buffer.concat([...pending, last]);
    pending.length = 0;
    pendingBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    try {
      return decoder.decode(bytes);
    } catch {
      throw new RecordFormatError(slice.object, `the record at byte ${recordStart} is not UTF-8 text (read binary data as byte chunks)`);
    }
  };

  // Consumes one chunk; answers true once the slice's last record is complete.
  function* take(chunk: Uint8Array): Generator<string, boolean> {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl < 0) break;
      const at = pos + nl;
      if (recordStart !== undefined) {
        if (pendingBytes + nl - from > max) throw tooLong();
        yield record(chunk.subarray(from, nl));
      } else if (at - (start - 1) > max) throw tooLong();
      recordStart = at + 1;
      from = nl + 1;
      if (end !== undefined && recordStart >= end) return true;
    }
    const rest = chunk.length - from;
    if (recordStart !== undefined && rest > 0) {
      if (pendingBytes + rest > max) throw tooLong();
      pending.push(chunk.subarray(from));
      pendingBytes += rest;
    } else if (recordStart === undefined) {
      if (pos + chunk.length - (start - 1) > max) throw tooLong();
      // No '\n' up to the slice's last byte: no record starts in it.
      if (end !== undefined && pos + chunk.length >= end) return true;
    }
    pos += chunk.length;
    return false;
  }

  const readFrom = async function* (from: number, to: number | undefined): AsyncGenerator<string, boolean> {
    for await (const chunk of reader.readRange({ ...slice, start: from, end: to })) {
      if (yield* take(chunk)) return true;
    }
    return false;
  };

  // The first read goes a little past the slice's end, so that most slices finish their last record in one request.
  let lookahead = options.lookaheadBytes ?? 64 * 2 ** 10;
  const firstEnd = end === undefined || size === undefined ? end : Math.min(size, end + lookahead);
  if (yield* readFrom(pos, firstEnd)) return;
  if (recordStart === undefined) return;
  while (end !== undefined && (size === undefined || pos < size)) {
    lookahead = Math.min(lookahead * 2, MAX_LOOKAHEAD);
    const to = size === undefined ? pos + lookahead : Math.min(size, pos + lookahead);
    const before = pos;
    if (yield* readFrom(pos, to)) return;
    if (pos === before) break; // the object ended (its size unknown)
  }
  // The object's end: its last line had no newline.
  if (pendingBytes > 0) yield record(new Uint8Array(0));
}
