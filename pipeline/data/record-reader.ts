// A task's records: the lines that start in its byte ranges, read with ranged GETs as they stream (never a whole
// object in memory), each range pinned to the object's ETag.
//
// The rule. A record starts at byte 0 or just after a '\n'. A slice [start, end) owns every record that starts at an
// offset in [start, end): it reads from start - 1 (when start > 0) and skips through the first '\n' at or after
// start - 1 (when the byte at start - 1 is '\n', that skips just that byte and the record at `start` is its own),
// then takes records while they start before `end`, reading past `end` to finish the last one (the first request
// reads up to `lookaheadBytes` past `end`, further ones twice as far each time, up to 8 MiB). Every record is thus
// owned by exactly one slice, wherever the cuts fall. Lines end in '\n' or "\r\n" (the '\r' is dropped); a last line
// without a newline is a record; an empty line is a record (""), the empty rest after a final newline is not.
//
// Two ways to take them, cut by that one rule: `readRecordBatches` gives whole records as bytes, about `batchBytes` at
// a time (the fast path: nothing decoded, nothing split); `readRecords` gives each record as a string, decoded as
// UTF-8 ('\n' never occurs inside a multi-byte character), and bytes that are not UTF-8 fail the read: use
// readChunks for binary data. Either streams with bounded memory: a batch, plus at most one record in the making, in
// one buffer per slice that every batch of the slice reuses: a batch is lent until the next is asked for. The bytes
// come from the reader's `lendRange` where it has one (views of its socket's buffer, copied once, into the batch's),
// so reading a range allocates nothing per read: at hundreds of MB/s, a buffer per read kept the collector's threads
// busy for a third of a core beside the kernel.
import { formatByteSize } from './byte-size.ts';
import { RecordFormatError, RecordTooLongError } from './errors.ts';
import type { ByteReader, ObjectSlice, TaskInput } from './objects.ts';
import { LineBatch, type RecordBatch } from './record-batch.ts';

export const DEFAULT_MAX_RECORD_BYTES = 16 * 2 ** 20;
export const DEFAULT_BATCH_BYTES = 2 ** 20;

export interface RecordReaderOptions {
  /** The longest record accepted, in bytes (default 16 MiB); a longer one fails the read with RecordTooLongError. */
  maxRecordBytes?: number;
  /** How far past its slice's end the first read goes to finish the last record, bytes (default 64 KiB); each further read doubles it. */
  lookaheadBytes?: number;
  /** About how many bytes of whole records a batch holds (default 1 MiB; more when one record is longer). */
  batchBytes?: number;
  /** The input's column names (a CSV's header), given to every batch. */
  columns?: readonly string[];
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const MAX_LOOKAHEAD = 8 * 2 ** 20;
/** Room in a batch's buffer past `batchBytes`, so that the chunk that completes a batch mostly fits without a copy. */
const BATCH_SLACK_BYTES = 256 * 2 ** 10;

/** The records (lines) a task owns, in order, over all its slices. */
export async function* readRecords(reader: ByteReader, task: TaskInput, options: RecordReaderOptions = {}): AsyncGenerator<string> {
  for (const slice of task.slices) yield* readSliceRecords(reader, slice, options);
}

/** The records a task owns as batches of whole records' bytes, in order, over all its slices. */
export async function* readRecordBatches(reader: ByteReader, task: TaskInput, options: RecordReaderOptions = {}): AsyncGenerator<RecordBatch> {
  for (const slice of task.slices) yield* readSliceBatches(reader, slice, options);
}

/** The raw bytes of a task's slices, exactly [start, end) of each, in order: for data that is not lines of text. */
export async function* readChunks(reader: ByteReader, task: TaskInput): AsyncGenerator<Uint8Array> {
  for (const slice of task.slices) yield* reader.readRange(slice);
}

/** The records one slice owns as strings (see the rule above). */
export async function* readSliceRecords(reader: ByteReader, slice: ObjectSlice, options: RecordReaderOptions = {}): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const batch of readSliceBatches(reader, slice, options)) {
    let text: string;
    try {
      text = decoder.decode(batch.bytes);
    } catch {
      throw notText(batch, decoder);
    }
    const lines = text.split('\n');
    // The empty rest after the batch's last newline is no record (a batch ends in '\n' unless its object ends).
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}

function tooLongAt(object: string, at: number, max: number): RecordTooLongError {
  return new RecordTooLongError(object, `the record at byte ${at} is longer than the limit of ${formatByteSize(max)}`);
}

/** The error for a batch that is not UTF-8, naming the first record that is not. */
function notText(batch: RecordBatch, decoder: { decode(bytes: Uint8Array): string }): RecordFormatError {
  let i = 0;
  for (; i < batch.count; i++) {
    try {
      decoder.decode(batch.record(i));
    } catch {
      break;
    }
  }
  return new RecordFormatError(batch.object, `the record at byte ${batch.offset + batch.start(Math.min(i, batch.count - 1))} is not UTF-8 text (read binary data as byte chunks)`);
}

/** The records one slice owns as batches of whole records (see the rule above). */
export async function* readSliceBatches(reader: ByteReader, slice: ObjectSlice, options: RecordReaderOptions = {}): AsyncGenerator<RecordBatch> {
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const batchBytes = Math.max(1, options.batchBytes ?? DEFAULT_BATCH_BYTES);
  const { start, end, size, object } = slice;
  // Bytes of whole records and of the record in the making, from `pendingStart` in the object on, copied into one
  // buffer (the chunks read may be lent, valid only until the next is read). Each batch is a view of that buffer, lent
  // in turn: once the next is asked for, the record in the making moves to the buffer's start and reading goes on.
  const capacity = batchBytes + Math.min(batchBytes, BATCH_SLACK_BYTES);
  let pending = Buffer.allocUnsafe(0);
  let pendingBytes = 0;
  /** Bytes at the buffer's start that belong to the batch last given, to drop before anything is added. */
  let given = 0;
  let pendingStart = start;
  // Until the first record this slice owns: skipping the previous slice's last record.
  let skipping = start > 0;
  let pos = start === 0 ? 0 : start - 1;

  const reclaim = (): void => {
    if (given === 0) return;
    pending.copyWithin(0, given, pendingBytes);
    pendingBytes -= given;
    given = 0;
  };
  const keep = (bytes: Uint8Array): void => {
    if (bytes.length === 0) return;
    reclaim();
    if (pendingBytes + bytes.length > pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(capacity, 2 * pending.length, pendingBytes + bytes.length));
      pending.copy(grown, 0, 0, pendingBytes);
      pending = grown;
    }
    pending.set(bytes, pendingBytes);
    pendingBytes += bytes.length;
  };
  // The whole records gathered (through the last '\n', or all of it when `all`) as one batch; the rest kept.
  const cut = (all: boolean): RecordBatch | undefined => {
    reclaim();
    if (pendingBytes === 0) return undefined;
    const bytes = pending.subarray(0, pendingBytes);
    const through = all ? bytes.length : bytes.lastIndexOf(NEWLINE) + 1;
    if (pendingBytes - through > max) throw tooLongAt(object, pendingStart + through, max);
    if (through === 0) return undefined;
    const batch = new LineBatch(bytes.subarray(0, through), pendingStart, object, options.columns);
    // A batch no longer than the limit holds no record longer than it; a larger one is checked record by record.
    if (batch.bytes.length > max) {
      for (let i = 0; i < batch.count; i++) if (batch.end(i) - batch.start(i) > max) throw tooLongAt(object, pendingStart + batch.start(i), max);
    }
    given = through;
    pendingStart += through;
    return batch;
  };

  // Consumes one chunk (bytes from `pos` in the object); answers the batch it completes, if any, and whether the
  // slice's last record is complete.
  const take = (chunk: Uint8Array): { batch?: RecordBatch; done: boolean } => {
    let from = 0;
    if (skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        if (pos + chunk.length - (start - 1) > max) {
          throw new RecordTooLongError(object, `a record that starts before byte ${start} is longer than the limit of ${formatByteSize(max)}`);
        }
        pos += chunk.length;
        // No '\n' up to the slice's last byte: no record starts in it.
        return { done: end !== undefined && pos >= end };
      }
      if (pos + nl - (start - 1) > max) {
        throw new RecordTooLongError(object, `a record that starts before byte ${start} is longer than the limit of ${formatByteSize(max)}`);
      }
      skipping = false;
      pendingStart = pos + nl + 1;
      from = nl + 1;
      if (end !== undefined && pendingStart >= end) return { done: true };
    }
    // The slice's last record ends at the first '\n' at or after byte end - 1: the record after it starts at `end` or
    // later, and is the next slice's.
    if (end !== undefined && pos + chunk.length > end - 1) {
      const nl = chunk.indexOf(NEWLINE, Math.max(from, end - 1 - pos));
      if (nl >= 0) {
        keep(chunk.subarray(from, nl + 1));
        pos += chunk.length;
        return { batch: cut(true), done: true };
      }
    }
    keep(from === 0 ? chunk : chunk.subarray(from));
    pos += chunk.length;
    // A batch is cut once it is large enough and ends a record; a record in the making past the limit fails the cut.
    if ((pendingBytes >= batchBytes && chunk.indexOf(NEWLINE, from) >= 0) || pendingBytes > max) return { batch: cut(false), done: false };
    return { done: false };
  };

  const readFrom = async function* (from: number, to: number | undefined): AsyncGenerator<RecordBatch, boolean> {
    const range = { ...slice, start: from, end: to };
    for await (const data of reader.lendRange ? reader.lendRange(range) : reader.readRange(range)) {
      const { batch, done } = take(data);
      if (batch) yield batch;
      if (done) return true;
    }
    return false;
  };

  // The first read goes a little past the slice's end, so that most slices finish their last record in one request.
  let lookahead = options.lookaheadBytes ?? 64 * 2 ** 10;
  const firstEnd = end === undefined || size === undefined ? end : Math.min(size, end + lookahead);
  if (yield* readFrom(pos, firstEnd)) return;
  if (skipping) return;
  while (end !== undefined && (size === undefined || pos < size)) {
    lookahead = Math.min(lookahead * 2, MAX_LOOKAHEAD);
    const to = size === undefined ? pos + lookahead : Math.min(size, pos + lookahead);
    const before = pos;
    if (yield* readFrom(pos, to)) return;
    if (pos === before) break; // the object ended (its size unknown)
  }
  // The object's end: its last line may have no newline.
  const last = cut(true);
  if (last) yield last;
}
