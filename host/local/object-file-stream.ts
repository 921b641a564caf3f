// How the local storage server streams an object's file: in 1 MiB pieces read into buffers it reuses. s3rver's own file
// stream read 64 KiB at a time into a fresh buffer each: serving a job's reads, the server then spent as much of the
// shared cores as a worker did, half of it on the collector's helper threads chasing those buffers. A piece's buffer
// returns to its stream once the HTTP response has written it (`ReleasingResponse`); a consumer that never says so (a
// copy inside the server) just gets fresh buffers, as before.
import { close, open, read } from 'node:fs';
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** Bytes read at a time. */
export const OBJECT_PIECE_BYTES = 2 ** 20;
/** Buffers a stream keeps for reuse. */
const KEPT_PIECES = 4;

const RELEASE = Symbol('release');
type Piece = Buffer & { [RELEASE]?: () => void };

/** Bytes [start, end] (inclusive, as fs streams count) of a file. */
export class ObjectFileStream extends Readable {
  private fd?: number;
  private position: number;
  private readonly free: Buffer[] = [];

  constructor(
    private readonly path: string,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: OBJECT_PIECE_BYTES });
    this.position = start;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'r', (err, fd) => {
      this.fd = fd;
      callback(err);
    });
  }

  override _read(): void {
    const left = this.end - this.position + 1;
    if (left <= 0) {
      this.push(null);
      return;
    }
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(OBJECT_PIECE_BYTES);
    read(this.fd!, buffer, 0, Math.min(OBJECT_PIECE_BYTES, left), this.position, (err, bytes) => {
      if (err) return this.destroy(err);
      if (bytes === 0) {
        this.keep(buffer);
        this.push(null);
        return;
      }
      this.position += bytes;
      const piece: Piece = buffer.subarray(0, bytes);
      piece[RELEASE] = () => this.keep(buffer);
      this.push(piece);
    });
  }

  private keep(buffer: Buffer): void {
    if (this.free.length < KEPT_PIECES) this.free.push(buffer);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.fd === undefined) return callback(err);
    close(this.fd, () => callback(err));
  }
}

/** A response that hands a piece's buffer back to its stream once the piece is written. */
export class ReleasingResponse extends ServerResponse {
  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const release = (chunk as Piece | undefined)?.[RELEASE];
    if (!release) return super.write(chunk, encoding as BufferEncoding, callback as (error?: Error | null) => void);
    const done = (typeof encoding === 'function' ? encoding : callback) as ((error?: Error | null) => void) | undefined;
    return super.write(chunk, (err) => {
      if (!err) release();
      done?.(err);
    });
  }
}
