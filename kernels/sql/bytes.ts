// Reading a byte range of one of the job's objects whole, and writing byte ranges into a local file at their offsets.
import type { FileHandle } from 'node:fs/promises';
import type { ByteReader, ObjectSlice } from '../../pipeline/data/objects.ts';

/** Bytes [start, end) of the object (to its end when `end` is undefined), stopping early past `limit` bytes. */
export async function readBytes(read: ByteReader, slice: ObjectSlice, limit = Infinity): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of read.readRange(slice)) {
    parts.push(chunk);
    length += chunk.length;
    if (length >= limit) break;
  }
  const all = Buffer.concat(parts, length);
  return length > limit ? all.subarray(0, limit) : all;
}

/** Streams bytes [start, end) of the object into `file` at the same offsets. */
export async function copyRange(read: ByteReader, slice: ObjectSlice & { end: number }, file: FileHandle): Promise<void> {
  let at = slice.start;
  for await (const chunk of read.readRange(slice)) {
    await file.write(chunk, 0, chunk.length, at);
    at += chunk.length;
  }
}
