// The shapes shared by listing, partitioning and reading: what an object was when the job was split, the byte range of
// it that a task reads, and the one operation every kind of store provides (a byte range, pinned to that version).

/** An object as listed when the job was split. JSON-serialisable: it travels in the job's task plan. */
export interface ObjectInfo {
  /** `s3://BUCKET/KEY` or the URL: what messages name and what a reader opens. */
  name: string;
  /** Bytes; undefined when the server does not say (the object is then read whole, by one task). */
  size?: number;
  /** Its ETag as the server gave it (quotes included); every read checks the object still has it. */
  etag?: string;
  /** Whether byte ranges can be read (S3: always; a URL: when its server answers `Accept-Ranges: bytes` and a size). */
  ranges: boolean;
}

/**
 * Bytes [start, end) of one object: a task owns the records that start in this range (see record-reader.ts). `end`
 * undefined means the object's end, for an object read whole.
 */
export interface ObjectSlice {
  object: string;
  etag?: string;
  /** The object's size when the job was split (a second pin besides the ETag; undefined when unknown). */
  size?: number;
  start: number;
  end?: number;
  /**
   * A Parquet object's slice (pipeline/data/parquet-cut.ts): the object's footer cut down to the row groups this slice
   * owns, Thrift compact, base64; read once when the job was created, so that no task reads the footer. [start, end)
   * then spans exactly those row groups.
   */
  footer?: string;
}

/** What one task reads: one slice, or several small objects whole. */
export interface TaskInput {
  slices: ObjectSlice[];
  /** The named input these slices belong to, in a job of several (`--input NAME=URL`); absent: `input`. */
  table?: string;
  /** A CSV input with a header: its column names, read from its first object's first line when the job was created. */
  columns?: string[];
}

/** Reads a byte range of an object, streamed, failing with ObjectChangedError if it is not the version pinned. */
export interface ByteReader {
  /**
   * Bytes [start, end) of `slice.object` (to its end when `end` is undefined), pinned to `slice.etag` and `slice.size`.
   * Yields exactly those bytes, however the server answers; breaking out of the loop closes the connection.
   */
  readRange(slice: ObjectSlice): AsyncIterable<Uint8Array>;
  /**
   * The same bytes, each chunk lent: valid only until the next is asked for (the reader reads into a buffer it reuses),
   * so a caller copies what it keeps. For readers that can read without a buffer per read; absent, use readRange.
   */
  lendRange?(slice: ObjectSlice): AsyncIterable<Uint8Array>;
}
