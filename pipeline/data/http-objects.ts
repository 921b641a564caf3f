// Objects behind http(s) URLs given by a job, through the deployment's URL policy (pipeline/data/url-policy.ts, guarded-fetch.ts): a HEAD gives the
// size, the ETag and whether the server reads byte ranges (`Accept-Ranges: bytes`); a URL whose server does not is
// read whole, by one task. Messages say what the guard says and nothing about addresses or ports.
import { openGuarded, UrlInputError, COULD_NOT_FETCH, type Resolver } from './guarded-fetch.ts';
import type { UrlPolicy } from './url-policy.ts';
import { DataReadError, InputSpecError, ObjectChangedError } from './errors.ts';
import type { ByteReader, ObjectInfo, ObjectSlice } from './objects.ts';
import { checkedBytes, contentRangeStart, contentRangeTotal } from './range-response.ts';

export interface HttpObjectsOptions {
  /** Until a response's headers arrive, redirects included, ms (default 15 s). */
  timeoutMs?: number;
  /** Longest silence while a body streams, ms (default 30 s). */
  idleMs?: number;
  resolve?: Resolver;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function why(err: unknown): string {
  return err instanceof UrlInputError ? err.message : COULD_NOT_FETCH;
}

export class HttpObjects implements ByteReader {
  constructor(
    private readonly policy: UrlPolicy,
    private readonly options: HttpObjectsOptions = {},
  ) {}

  private open(url: string, method: 'GET' | 'HEAD', headers: Record<string, string>) {
    return openGuarded(url, this.policy, {
      method,
      headers,
      timeoutMs: this.options.timeoutMs ?? 15_000,
      idleMs: this.options.idleMs ?? 30_000,
      resolve: this.options.resolve,
    });
  }

  /** What a HEAD says of the URL; a server that refuses HEAD (405, 501) gets one task reading it whole. */
  async list(url: string): Promise<ObjectInfo> {
    let answer;
    try {
      answer = await this.open(url, 'HEAD', {});
    } catch (err) {
      throw new InputSpecError(`${url}: ${why(err)}`);
    }
    answer.body.destroy();
    if (answer.status === 405 || answer.status === 501) return { name: url, ranges: false };
    if (answer.status < 200 || answer.status >= 300) throw new InputSpecError(`${url}: ${COULD_NOT_FETCH}: it answered HTTP ${answer.status}`);
    const length = header(answer.headers['content-length']);
    const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    const ranges = size !== undefined && /\bbytes\b/i.test(header(answer.headers['accept-ranges']) ?? '');
    return { name: url, size, etag: header(answer.headers.etag), ranges };
  }

  async *readRange(slice: ObjectSlice): AsyncGenerator<Uint8Array> {
    const { object: url, start, end, etag } = slice;
    if (end !== undefined && end <= start) return;
    const ranged = start > 0 || end !== undefined;
    const headers: Record<string, string> = {};
    if (ranged) headers.range = `bytes=${start}-${end === undefined ? '' : end - 1}`;
    // If-Match compares strongly: a weak ETag would never match, so it is only compared below.
    if (etag !== undefined && !etag.startsWith('W/')) headers['if-match'] = etag;
    let answer;
    try {
      answer = await this.open(url, 'GET', headers);
    } catch (err) {
      throw new DataReadError(url, why(err));
    }
    const { status, body } = answer;
    try {
      if (status === 412) throw ObjectChangedError.etag(url, etag, undefined);
      if (status === 416) throw new ObjectChangedError(url, `bytes ${start}-${end ?? ''} are now past its end`);
      if (status < 200 || status >= 300) throw new DataReadError(url, `${COULD_NOT_FETCH}: it answered HTTP ${status}`);
      const now = header(answer.headers.etag);
      if (etag !== undefined && now !== etag) throw ObjectChangedError.etag(url, etag, now);
      const contentRange = header(answer.headers['content-range']);
      const total = status === 206 ? contentRangeTotal(contentRange) : Number(header(answer.headers['content-length']) ?? NaN);
      if (slice.size !== undefined && Number.isFinite(total) && total !== slice.size) {
        throw new ObjectChangedError(url, `${slice.size} bytes then, ${total} now`);
      }
      const served = status === 206 ? contentRangeStart(contentRange) : 0;
      if (served !== start) throw new DataReadError(url, `the server answered bytes from ${served ?? 'an unknown offset'} when asked for bytes from ${start}`);
      yield* checkedBytes(body, end === undefined ? undefined : end - start, () => new DataReadError(url, `${COULD_NOT_FETCH}: the connection failed while reading`));
    } finally {
      body.destroy();
    }
  }
}
