// Fetches a URL given by a job's submitter without letting it reach what the submitter cannot: every host is resolved
// (all its addresses) and checked against the deployment's URL policy, and the connection goes to exactly the
// addresses checked (the check is the socket's own DNS lookup, so a name cannot resolve once for the check and again
// for the connection). Redirects are followed by hand, each hop checked again. Errors name the cause only as far as
// it reveals nothing about what listens where: "non-public address" before any connection; a name that does not
// resolve; "no answer" for a refused, reset or silent connection alike; the HTTP status of a host that answered.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { canonicalHost, type UrlPolicy } from './url-policy.ts';

export const NON_PUBLIC_ADDRESS = 'URL refers to a non-public address';
export const COULD_NOT_FETCH = 'could not fetch URL';
export const NOT_RESOLVED = `${COULD_NOT_FETCH}: its host name does not resolve`;
/** A refused, reset or silent connection: told apart, they would say what listens where. */
export const NO_ANSWER = `${COULD_NOT_FETCH}: no answer from its host (refused, reset or timed out; these are not told apart)`;
export const BROKEN_BODY = `${COULD_NOT_FETCH}: the connection broke or timed out while its content was read`;

/** A URL input that cannot be read; its message never says which address, port or network error was met. */
export class UrlInputError extends Error {
  override readonly name = 'UrlInputError';
}

/** Resolves a host name to all its addresses (the system resolver by default). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

export interface GuardedFetchOptions {
  /** The whole fetch, redirects and body included, ms. */
  timeoutMs: number;
  /** Largest body accepted, bytes. */
  maxBytes: number;
  /** Redirects followed at most (default 5). */
  maxRedirects?: number;
  resolve?: Resolver;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A socket lookup that resolves the host, refuses it unless every address passes the policy, and hands those on. */
function checkedLookup(policy: UrlPolicy, resolver: Resolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    // `host.example.` is `host.example`, fully qualified; the system resolver finds names from the hosts file only
    // without the dot.
    resolver(hostname.endsWith('.') ? hostname.slice(0, -1) : hostname).then(
      (found) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const addresses = family ? found.filter((a) => a.family === family) : found;
        if (addresses.length === 0) return callback(new UrlInputError(NOT_RESOLVED), []);
        if (!policy.allowsHostName(hostname) && !addresses.every((a) => policy.allowsAddress(a.address))) {
          return callback(new UrlInputError(NON_PUBLIC_ADDRESS), []);
        }
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
      () => callback(new UrlInputError(NOT_RESOLVED), []),
    );
  };
}

function checkScheme(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlInputError(`${COULD_NOT_FETCH}: only http and https URLs can be fetched`);
}

/** Refuses an address literal the policy does not allow; host names are checked as the socket resolves them. */
function checkLiteral(url: URL, policy: UrlPolicy): void {
  const host = canonicalHost(url.hostname);
  if (isIP(host) !== 0 && !policy.allowsHostName(host) && !policy.allowsAddress(host)) throw new UrlInputError(NON_PUBLIC_ADDRESS);
}

interface Hop {
  status: number;
  location?: string;
  body?: Uint8Array;
}

function requestOnce(url: URL, policy: UrlPolicy, options: GuardedFetchOptions, signal: AbortSignal): Promise<Hop> {
  checkScheme(url);
  checkLiteral(url, policy);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<Hop>((resolve, reject) => {
    const fail = (err: unknown) => reject(err instanceof UrlInputError ? err : new UrlInputError(NO_ANSWER));
    const broken = (err: unknown) => reject(err instanceof UrlInputError ? err : new UrlInputError(BROKEN_BODY));
    const req = lib.request(url, { method: 'GET', agent: false, signal, lookup: checkedLookup(policy, options.resolve ?? systemResolver) as never }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        return resolve({ status, location: res.headers.location });
      }
      if (status < 200 || status >= 300) {
        res.resume();
        return resolve({ status });
      }
      const tooLarge = () => new UrlInputError(`${COULD_NOT_FETCH}: its content is larger than ${options.maxBytes} bytes`);
      if (Number(res.headers['content-length'] ?? 0) > options.maxBytes) {
        res.destroy();
        return reject(tooLarge());
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          res.destroy();
          return reject(tooLarge());
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      res.on('error', broken);
      res.on('aborted', () => broken(undefined));
    });
    req.on('error', fail);
    req.end();
  });
}

function parseInputUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new UrlInputError(`${COULD_NOT_FETCH}: not a valid URL`);
  }
}

/** The body of an http(s) URL that the policy allows, after at most `maxRedirects` redirects, each checked again. */
export async function fetchGuarded(url: string, policy: UrlPolicy, options: GuardedFetchOptions): Promise<Uint8Array> {
  const maxRedirects = options.maxRedirects ?? 5;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = parseInputUrl(url);
  for (let redirects = 0; ; redirects++) {
    const hop = await requestOnce(current, policy, options, signal);
    if (hop.body) return hop.body;
    if (hop.status >= 300 && hop.status < 400 && hop.location !== undefined) {
      if (redirects >= maxRedirects) throw new UrlInputError(`${COULD_NOT_FETCH}: more than ${maxRedirects} redirects`);
      try {
        current = new URL(hop.location, current);
      } catch {
        throw new UrlInputError(`${COULD_NOT_FETCH}: it redirects to an invalid URL`);
      }
      continue;
    }
    throw new UrlInputError(`${COULD_NOT_FETCH}: it answered HTTP ${hop.status}`);
  }
}

export interface GuardedOpenOptions {
  method?: 'GET' | 'HEAD';
  /** Sent on every hop (a Range, an If-Match). */
  headers?: Record<string, string>;
  /** Until the final response's headers arrive, redirects included, ms. */
  timeoutMs: number;
  /** Longest silence while the body streams, ms (default `timeoutMs`). */
  idleMs?: number;
  maxRedirects?: number;
  resolve?: Resolver;
}

export interface GuardedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, to be read or destroyed by the caller; errors on it are UrlInputErrors or network errors. */
  body: http.IncomingMessage;
}

function openOnce(url: URL, policy: UrlPolicy, options: GuardedOpenOptions, deadline: number): Promise<GuardedResponse> {
  checkScheme(url);
  checkLiteral(url, policy);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<GuardedResponse>((resolve, reject) => {
    const lookup = checkedLookup(policy, options.resolve ?? systemResolver) as never;
    const req = lib.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false, lookup }, (res) => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    const timer = setTimeout(() => req.destroy(new UrlInputError(`${COULD_NOT_FETCH}: no answer within ${options.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    req.setTimeout(options.idleMs ?? options.timeoutMs, () => req.destroy(new UrlInputError(`${COULD_NOT_FETCH}: the connection went quiet`)));
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof UrlInputError ? err : new UrlInputError(COULD_NOT_FETCH));
    });
    req.end();
  });
}

/**
 * The response to a request for an http(s) URL that the policy allows, after at most `maxRedirects` redirects, each
 * checked again; its body streams. Any status but a redirect is answered as it is, for the caller to judge.
 */
export async function openGuarded(url: string, policy: UrlPolicy, options: GuardedOpenOptions): Promise<GuardedResponse> {
  const maxRedirects = options.maxRedirects ?? 5;
  const deadline = Date.now() + options.timeoutMs;
  let current = parseInputUrl(url);
  for (let redirects = 0; ; redirects++) {
    const answer = await openOnce(current, policy, options, deadline);
    const location = answer.headers.location;
    if (answer.status < 300 || answer.status >= 400 || location === undefined || answer.status === 304) return answer;
    answer.body.destroy();
    if (redirects >= maxRedirects) throw new UrlInputError(`${COULD_NOT_FETCH}: more than ${maxRedirects} redirects`);
    try {
      current = new URL(location, current);
    } catch {
      throw new UrlInputError(`${COULD_NOT_FETCH}: it redirects to an invalid URL`);
    }
  }
}
