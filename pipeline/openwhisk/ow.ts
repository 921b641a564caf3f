// Calls back into OpenWhisk from an action: non-blocking invokes and trigger fires that back off and retry
// on 429, 5xx and network errors until a deadline, so nothing the caller hands over is dropped silently.
import openwhisk from 'openwhisk';
import { errorMessage } from './redact.ts';
import { describeOwError } from './ow-error.ts';

export type OwClient = ReturnType<typeof openwhisk>;

let cached: { key: string; client: OwClient } | undefined;

/**
 * Certificates are not checked for an API host named by IP address or as localhost: that is how local and
 * in-cluster OpenWhisk deployments (self-signed) give it to actions. `__OW_IGNORE_CERTS=true` forces it.
 */
function ignoreCerts(apihost: string): boolean {
  if (process.env.__OW_IGNORE_CERTS?.toLowerCase() === 'true') return true;
  let host: string;
  try {
    host = new URL(/^https?:\/\//.test(apihost) ? apihost : `https://${apihost}`).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || /^[\d.]+$/.test(host) || host.startsWith('[');
}

/** A client for the platform this activation runs on, from `__OW_API_HOST` / `__OW_API_KEY`. */
export function owClient(): OwClient {
  const apihost = process.env.__OW_API_HOST;
  const apiKey = process.env.__OW_API_KEY;
  if (!apihost || !apiKey) throw new Error('__OW_API_HOST and __OW_API_KEY are not set; is the action deployed with provide-api-key?');
  const key = `${apihost}\n${apiKey}`;
  if (cached?.key !== key) {
    cached = { key, client: openwhisk({ apihost, api_key: apiKey, ignore_certs: ignoreCerts(apihost) }) };
  }
  return cached.client;
}

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

export class FatalInvokeError extends Error {
  override readonly name = 'FatalInvokeError';
  constructor(message: string, readonly statusCode?: number) {
    super(message);
  }
}

export function statusCodeOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** 429, 5xx other than 502 (an application error), and errors without an HTTP status (network). */
export function isRetryable(err: unknown): boolean {
  const code = statusCodeOf(err);
  if (code === undefined) return true;
  return code === 429 || code === 408 || (code >= 500 && code !== 502);
}

/** A refused connection, anywhere in the error's causes: nothing listens at the address. */
export function isRefused(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED' || /ECONNREFUSED/.test(errorMessage(e))) return true;
  }
  return false;
}

export interface RetryOptions {
  /** Epoch ms after which no further attempt starts. */
  deadline: number;
  /**
   * A refused connection ends the retries at once. On the host it means nothing runs at the API host, which the user
   * should hear now; inside an action it is the platform restarting, worth waiting out (the default).
   */
  refusedIsFinal?: boolean;
  baseMs?: number;
  maxMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(what: string, fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const base = opts.baseMs ?? 100;
  const max = opts.maxMs ?? 5000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      // An answer from the API reads as OpenWhisk's own message and status, not the client library's request dump.
      if (!isRetryable(err) || (opts.refusedIsFinal === true && isRefused(err))) throw new FatalInvokeError(`${what}: ${statusCodeOf(err) !== undefined ? describeOwError(err) : errorMessage(err)}`, statusCodeOf(err));
      // Full jitter: spreads the retries of many concurrent callers hitting the same limit.
      const delay = Math.random() * Math.min(max, base * 2 ** Math.min(attempt, 16));
      if (Date.now() + delay >= opts.deadline) {
        throw new DeadlineError(`${what}: gave up after ${attempt + 1} attempts: ${errorMessage(err)}`);
      }
      await sleep(delay);
    }
  }
}

/** Non-blocking invoke; resolves with the activation id once the platform has accepted it. */
export async function invokeAsync(name: string, params: Record<string, unknown>, opts: RetryOptions): Promise<string> {
  const ow = owClient();
  const r = await withRetry(`invoke ${name}`, () => ow.actions.invoke({ name, params, blocking: false }), opts);
  return (r as { activationId?: string }).activationId ?? '';
}

export async function fireTrigger(name: string, params: Record<string, unknown>, opts: RetryOptions): Promise<string> {
  const ow = owClient();
  const r = await withRetry(`fire ${name}`, () => ow.triggers.invoke({ name, params }), opts);
  return (r as { activationId?: string } | undefined)?.activationId ?? '';
}

/** The activation's deadline (epoch ms) less a margin, or `fallbackMs` from now when the platform gives none. */
export function deadline(marginMs: number, fallbackMs = 60_000): number {
  const d = Number(process.env.__OW_DEADLINE);
  const end = Number.isFinite(d) && d > 0 ? d : Date.now() + fallbackMs;
  return end - marginMs;
}
