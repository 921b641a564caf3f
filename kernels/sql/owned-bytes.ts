// The bytes of the lines a slice owns, as they are in the object: the lines that start in [start, end) (the rule of
// pipeline/data/record-reader.ts), whole, with their newlines, skipping the first `skipLines` lines of an object's
// first slice (a CSV header). Reading bytes rather than decoded lines lets DuckDB parse them itself, several times
// faster than building a string per line.
import type { ByteReader, ObjectSlice } from '../../pipeline/data/objects.ts';

const NEWLINE = 0x0a;
/** How far past its end the first read goes to finish the slice's last line; each further read doubles it. */
const LOOKAHEAD = 64 * 2 ** 10;
const MAX_LOOKAHEAD = 8 * 2 ** 20;

export async function* ownedLineBytes(read: ByteReader, slice: ObjectSlice, skipLines = 0): AsyncGenerator<Uint8Array> {
  const { start, end, size } = slice;
  if (end !== undefined && end <= start) return;
  // Before the first line this slice owns: the rest of the line that holds byte start - 1.
  let skipping = start > 0;
  let headerLines = start === 0 ? skipLines : 0;
  let pos = start > 0 ? start - 1 : 0;
  let lookahead = LOOKAHEAD;
  // Whether the slice's first line has begun: from then on a chunk continues a line that is this slice's.
  let started = false;
  for (;;) {
    const to = end === undefined || size === undefined ? (end === undefined ? undefined : Math.max(end, pos) + lookahead) : Math.min(size, Math.max(end, pos) + lookahead);
    const before = pos;
    for await (const chunk of read.readRange({ ...slice, start: pos, end: to })) {
      let from = 0;
      if (skipping) {
        const nl = chunk.indexOf(NEWLINE);
        if (nl < 0) {
          pos += chunk.length;
          if (end !== undefined && pos >= end) return;
          continue;
        }
        from = nl + 1;
        skipping = false;
      }
      while (headerLines > 0 && from < chunk.length) {
        const nl = chunk.indexOf(NEWLINE, from);
        from = nl < 0 ? chunk.length : nl + 1;
        if (nl >= 0) headerLines--;
      }
      if (headerLines > 0 || from >= chunk.length) {
        pos += chunk.length;
        if (!started && headerLines === 0 && end !== undefined && pos >= end) return;
        continue;
      }
      // The slice's first line: one starting at or past `end` is the next slice's.
      if (!started && end !== undefined && pos + from >= end) return;
      started = true;
      if (end !== undefined) {
        // The line holding byte end - 1 is this slice's last; it ends at the first newline from there on.
        const nl = chunk.indexOf(NEWLINE, Math.max(from, end - 1 - pos));
        if (nl >= 0) {
          yield chunk.subarray(from, nl + 1);
          return;
        }
      }
      yield chunk.subarray(from);
      pos += chunk.length;
    }
    if (end === undefined || pos === before || (size !== undefined && pos >= size)) return;
    lookahead = Math.min(lookahead * 2, MAX_LOOKAHEAD);
  }
}
