// Reading an HTTP/1.1 response from bytes as they arrive, without copying its body: the head (status line and
// headers, RFC 9112 §4–5), then the body as views of the bytes given, framed by Content-Length, by chunked transfer
// coding (§7.1: sizes in hex, extensions and trailers skipped) or by the connection's close (§6.3).

/** The longest response head accepted, bytes. */
export const MAX_HEAD_BYTES = 64 * 2 ** 10;

export interface ResponseHead {
  statusCode: number;
  reason: string;
  /** Names in lower case; a repeated header's values joined by ", ". */
  headers: Record<string, string>;
  /** The connection may carry another request once this body is read. */
  keepAlive: boolean;
}

export class HttpResponseError extends Error {
  constructor(message: string) {
    super(`malformed HTTP response: ${message}`);
    this.name = 'HttpResponseError';
  }
}

const CR = 0x0d;
const LF = 0x0a;

/** The head whose bytes (through the blank line) are `text`. */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!status) throw new HttpResponseError(`status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpResponseError(`header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const connection = (headers.connection ?? '').toLowerCase();
  const keepAlive = status[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
  return { statusCode: Number(status[2]), reason: status[3] ?? '', headers, keepAlive };
}

/** Where the head ends in `bytes` (the index after its blank line), or -1. */
export function headEnd(bytes: Uint8Array, from = 0): number {
  for (let i = Math.max(from, 3); i < bytes.length; i++) {
    if (bytes[i] === LF && bytes[i - 1] === CR && bytes[i - 2] === LF && bytes[i - 3] === CR) return i + 1;
  }
  return -1;
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

/**
 * A response body's framing, fed the bytes after the head as they arrive: `take` answers the next run of body bytes
 * in a window (a view, never a copy) and how far it read. `done` once the body is whole.
 */
export class BodyFraming {
  private framing: Framing;
  /** Chunked coding: what the next bytes are. */
  private state: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  private chunkLeft = 0;
  /** A size or trailer line in the making (they may span windows). */
  private line = '';
  done = false;

  constructor(head: ResponseHead, requestMethod: string) {
    const coding = (head.headers['transfer-encoding'] ?? '').toLowerCase();
    const length = head.headers['content-length'];
    if (requestMethod === 'HEAD' || head.statusCode === 204 || head.statusCode === 304 || (head.statusCode >= 100 && head.statusCode < 200)) {
      this.framing = { kind: 'none' };
    } else if (coding !== '') {
      if (!/(^|,)\s*chunked\s*$/.test(coding)) throw new HttpResponseError(`transfer coding "${coding}" is not chunked`);
      this.framing = { kind: 'chunked' };
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw new HttpResponseError(`Content-Length "${length}"`);
      this.framing = { kind: 'length', left: Number(length) };
    } else {
      this.framing = { kind: 'close' };
    }
    this.done = this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.left === 0);
  }

  /** The body ends with the connection (neither a length nor chunks). */
  get endsAtClose(): boolean {
    return this.framing.kind === 'close';
  }

  /** The connection closed: fine when the body runs to the close, else the body is cut short. */
  closed(): void {
    if (this.framing.kind === 'close') this.done = true;
    if (!this.done) throw new HttpResponseError('the connection closed before the body ended');
  }

  /**
   * From `window[from…to)`: the next body bytes (a view of `window`, possibly empty) and where reading stopped. Call
   * again from there until it reaches `to`; framing bytes are consumed without yielding anything.
   */
  take(window: Uint8Array, from: number, to: number): { body?: Uint8Array; next: number } {
    const f = this.framing;
    if (this.done) {
      if (from < to) throw new HttpResponseError(`${to - from} bytes after the body`);
      return { next: to };
    }
    if (f.kind === 'close') return { body: window.subarray(from, to), next: to };
    if (f.kind === 'length') {
      const n = Math.min(f.left, to - from);
      f.left -= n;
      if (f.left === 0) this.done = true;
      return { body: window.subarray(from, from + n), next: from + n };
    }
    return this.takeChunked(window, from, to);
  }

  private takeChunked(window: Uint8Array, from: number, to: number): { body?: Uint8Array; next: number } {
    let i = from;
    while (i < to) {
      if (this.state === 'data') {
        const n = Math.min(this.chunkLeft, to - i);
        this.chunkLeft -= n;
        if (this.chunkLeft === 0) this.state = 'data-end';
        return { body: window.subarray(i, i + n), next: i + n };
      }
      // A line: a chunk's size, the CRLF after its data, or a trailer (the blank one ends the body).
      const lf = window.indexOf(LF, i);
      const end = lf < 0 || lf >= to ? to : lf + 1;
      if (this.line.length + end - i > MAX_HEAD_BYTES) throw new HttpResponseError('a chunk-size or trailer line is too long');
      this.line += Buffer.from(window.buffer, window.byteOffset + i, end - i).toString('latin1');
      i = end;
      if (!this.line.endsWith('\n')) break;
      const line = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.state === 'data-end') {
        if (line !== '') throw new HttpResponseError('chunk data longer than its size');
        this.state = 'size';
      } else if (this.state === 'size') {
        const size = /^([0-9a-fA-F]+)\s*(;.*)?$/.exec(line);
        if (!size) throw new HttpResponseError(`chunk size ${JSON.stringify(line.slice(0, 40))}`);
        this.chunkLeft = parseInt(size[1], 16);
        this.state = this.chunkLeft === 0 ? 'trailers' : 'data';
      } else if (line === '') {
        this.done = true;
        return { next: i };
      }
    }
    return { next: i };
  }
}
