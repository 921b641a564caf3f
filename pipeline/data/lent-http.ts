// HTTP/1.1 requests whose response bodies are lent rather than given: each connection's socket reads into one buffer
// of its own (net's `onread`), and the body is handed out as views of that buffer, each valid until the next is asked
// for. Node's own client allocates a fresh buffer for every socket read (64 KiB at a time); a task reading a large
// range made so much short-lived memory that the collector ran most of a core beside it on its helper threads. Here
// a read allocates nothing, and the socket is paused while a view is lent, so the bytes cannot change under it.
//
// For the pipeline's ranged reads of its inputs (pipeline/data/lent-s3-handler.ts puts it under the S3 SDK, which
// still builds and signs the request and reads every answer that is not a body of data). Connections are kept alive
// for the next request to the same origin trusting the same certificates, as Node's agent would; a kept connection that turns out to be closed by
// the server is replaced once, before any byte of the answer was read.
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { Readable } from 'node:stream';
import { BodyFraming, headEnd, HttpResponseError, MAX_HEAD_BYTES, parseResponseHead, type ResponseHead } from './http1-response.ts';

export interface LentRequest {
  protocol: 'http:' | 'https:';
  hostname: string;
  port?: number;
  method: string;
  /** Path and query, as sent. */
  target: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

export interface LentHttpOptions {
  /** Time to open a connection, ms. */
  connectTimeoutMs: number;
  /** Longest silence while waiting for the server's bytes, ms. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** Certificates to trust for https besides Node's own (and NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer;
}

export interface LentResponse extends ResponseHead {
  body: LentBody;
}

/** Bytes each connection reads into. */
const READ_BUFFER_BYTES = 256 * 2 ** 10;
/** Kept-alive connections per origin, and how long one waits unused (below common servers' keep-alive of 5 s), ms. */
const MAX_IDLE_PER_ORIGIN = 16;
const IDLE_KEEP_MS = 4_000;

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

/** A connection that was kept alive answered nothing: the server closed it meanwhile. */
class StaleConnectionError extends Error {}

class Connection {
  readonly buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** What the last read put in `buffer`, and how much of it is consumed. */
  filled = 0;
  consumed = 0;
  private ended = false;
  private failure?: Error;
  private wake?: () => void;
  private idleTimer?: NodeJS.Timeout;
  readonly socket: net.Socket;

  constructor(
    readonly origin: string,
    /** Which kept connections it joins: its origin and the certificates it was verified against. */
    readonly pool: string,
    request: LentRequest,
    ca?: string | Buffer,
  ) {
    const onread = { buffer: this.buffer, callback: (n: number) => this.onRead(n) };
    const port = request.port ?? (request.protocol === 'https:' ? 443 : 80);
    const host = request.hostname.replace(/^\[(.*)\]$/, '$1');
    this.socket =
      request.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, onread, ...(ca ? { ca: [...tls.rootCertificates, ca.toString()] } : {}) } as tls.ConnectionOptions)
        : net.connect({ host, port, onread });
    this.socket.setNoDelay(true);
    this.socket.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  /** Resolves once the connection is open. */
  opened(timeoutMs: number): Promise<void> {
    const event = this.socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = timeoutError(`could not connect to ${this.origin} in ${timeoutMs} ms`);
        this.destroy(err);
        reject(err);
      }, timeoutMs);
      this.socket.once(event, () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private onRead(n: number): boolean {
    if (this.wake === undefined && this.filled === this.consumed && this.idleTimer !== undefined) {
      // Bytes on a kept connection that nobody asked for: it cannot be used again.
      this.destroy();
      return false;
    }
    this.filled = n;
    this.consumed = 0;
    this.wake?.();
    // Paused until these bytes are consumed: the buffer is lent out meanwhile.
    return false;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake?.();
  }

  /** Whether unconsumed bytes are in `buffer` (waiting for the next read when none are); false at the end. */
  async fill(idleTimeoutMs: number): Promise<boolean> {
    while (this.consumed >= this.filled) {
      if (this.failure) throw this.failure;
      if (this.ended) return false;
      this.socket.resume();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.fail(timeoutError(`${this.origin} sent nothing for ${idleTimeoutMs} ms`)), idleTimeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
    return true;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  get reusable(): boolean {
    return !this.ended && !this.failure && !this.socket.destroyed && this.consumed >= this.filled;
  }

  /** Kept for the next request: reading resumes, so that a close (or stray bytes) is seen while it waits. */
  keep(onExpired: () => void): void {
    this.idleTimer = setTimeout(onExpired, IDLE_KEEP_MS).unref();
    this.socket.unref();
    this.socket.resume();
  }

  /** Taken from the keep: whether it is still usable. */
  take(): boolean {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.socket.ref();
    return this.reusable;
  }

  destroy(err?: Error): void {
    clearTimeout(this.idleTimer);
    if (err) this.fail(err);
    this.socket.destroy();
  }
}

const kept = new Map<string, Connection[]>();

function keep(connection: Connection): void {
  const list = kept.get(connection.pool) ?? [];
  if (list.length >= MAX_IDLE_PER_ORIGIN) return connection.destroy();
  list.push(connection);
  kept.set(connection.pool, list);
  connection.keep(() => {
    const i = list.indexOf(connection);
    if (i >= 0) list.splice(i, 1);
    connection.destroy();
  });
}

function keptConnection(pool: string): Connection | undefined {
  const list = kept.get(pool);
  while (list && list.length > 0) {
    const connection = list.pop()!;
    if (connection.take()) return connection;
    connection.destroy();
  }
  return undefined;
}

function requestBytes(request: LentRequest): Buffer {
  const headers = { ...request.headers };
  const names = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  if (!names.has('host')) headers.host = request.port ? `${request.hostname}:${request.port}` : request.hostname;
  const body = request.body === undefined ? undefined : Buffer.from(request.body as Uint8Array);
  if (body && !names.has('content-length')) headers['content-length'] = String(body.length);
  let head = `${request.method} ${request.target} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(String(value))) throw new Error(`header ${name} holds a line break`);
    head += `${name}: ${value}\r\n`;
  }
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

/** Reads the response head from the connection, skipping interim (1xx) answers; the body's bytes stay unconsumed. */
async function readHead(connection: Connection, idleTimeoutMs: number, reused: boolean): Promise<ResponseHead> {
  let parts: Buffer[] = [];
  let length = 0;
  let any = false;
  for (;;) {
    if (!(await connection.fill(idleTimeoutMs))) {
      if (reused && !any) throw new StaleConnectionError('the kept connection was closed');
      throw new HttpResponseError('the connection closed before the response head ended');
    }
    any = true;
    const window = connection.buffer.subarray(connection.consumed, connection.filled);
    const joined = parts.length === 0 ? window : Buffer.concat([...parts, window]);
    const end = headEnd(joined, Math.max(0, length - 3));
    if (end < 0) {
      if (joined.length > MAX_HEAD_BYTES) throw new HttpResponseError(`the response head is longer than ${MAX_HEAD_BYTES} bytes`);
      parts = [Buffer.from(joined)];
      length = joined.length;
      connection.consumed = connection.filled;
      continue;
    }
    connection.consumed += end - length;
    const head = parseResponseHead(joined.subarray(0, end - 4).toString('latin1'));
    if (head.statusCode >= 100 && head.statusCode < 200) {
      parts = [];
      length = 0;
      continue;
    }
    return head;
  }
}

/** Sends the request and reads the answer's head; its body is then read through `body` (once). */
export async function lentRequest(request: LentRequest, options: LentHttpOptions): Promise<LentResponse> {
  const origin = `${request.protocol}//${request.hostname}:${request.port ?? ''}`;
  // A connection verified against extra certificates is no connection for a request that does not trust them.
  const pool = options.ca === undefined ? origin : `${origin} ca:${createHash('sha256').update(options.ca).digest('hex')}`;
  const bytes = requestBytes(request);
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
    let connection = attempt === 0 ? keptConnection(pool) : undefined;
    const reused = connection !== undefined;
    if (!connection) {
      connection = new Connection(origin, pool, request, options.ca);
      await connection.opened(options.connectTimeoutMs);
    }
    const open = connection;
    const abort = () => open.destroy(Object.assign(new Error('the request was aborted'), { name: 'AbortError' }));
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      open.write(bytes);
      const head = await readHead(open, options.idleTimeoutMs, reused);
      const framing = new BodyFraming(head, request.method);
      const body = new LentBody(open, framing, options.idleTimeoutMs, head.keepAlive, () => options.signal?.removeEventListener('abort', abort));
      return { ...head, body };
    } catch (err) {
      options.signal?.removeEventListener('abort', abort);
      open.destroy();
      if (err instanceof StaleConnectionError && attempt === 0) continue;
      throw err;
    }
  }
}

/**
 * A response body. `lend()` gives its bytes as views lent until the next is asked for (the fast path); read as a
 * stream, it gives copies, so that anything that expects a Node stream (the SDK reading an error's XML) reads it too.
 */
export class LentBody extends Readable {
  private lending?: AsyncGenerator<Uint8Array>;
  private pulling = false;
  private finished = false;

  constructor(
    private readonly connection: Connection,
    private readonly framing: BodyFraming,
    private readonly idleTimeoutMs: number,
    private readonly keepAlive: boolean,
    private readonly onEnd: () => void,
  ) {
    super();
  }

  /** The body's bytes, each view valid until the next is asked for. Once per body. */
  lend(): AsyncGenerator<Uint8Array> {
    if (this.lending) throw new Error('a response body is read once');
    this.lending = this.views();
    return this.lending;
  }

  private async *views(): AsyncGenerator<Uint8Array> {
    const { connection, framing } = this;
    try {
      while (!framing.done) {
        if (!(await connection.fill(this.idleTimeoutMs))) {
          framing.closed();
          break;
        }
        const { body, next } = framing.take(connection.buffer, connection.consumed, connection.filled);
        connection.consumed = next;
        if (body && body.length > 0) yield body;
      }
      // Bytes past the body, or a body that ran to the close, leave nothing to reuse.
      if (connection.consumed < connection.filled) throw new HttpResponseError(`${connection.filled - connection.consumed} bytes after the body`);
      this.finished = true;
    } finally {
      this.onEnd();
      if (this.finished && this.keepAlive && !framing.endsAtClose && connection.reusable) keep(connection);
      else connection.destroy();
    }
  }

  override _read(): void {
    if (this.pulling) return;
    this.pulling = true;
    this.lending ??= this.views();
    this.lending.next().then(
      (step) => {
        this.pulling = false;
        this.push(step.done ? null : Buffer.from(step.value));
      },
      (err: Error) => this.destroy(err),
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.finished) {
      this.connection.destroy();
      if (this.lending) void this.lending.return(undefined).catch(() => undefined);
      else this.onEnd();
    }
    callback(err);
  }
}
