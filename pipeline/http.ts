// Errors that carry an HTTP status, and how an action answers them to web and to plain callers.
import { errorMessage } from './redact.ts';
import { StoreUnavailableError } from './store/unavailable.ts';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export function isWebCall(params: Record<string, unknown>): boolean {
  return typeof params.__ow_method === 'string';
}

export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.statusCode;
  if (err instanceof StoreUnavailableError) return 503;
  return 502;
}

export interface WebResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Web callers get `{statusCode, headers, body: {error}}`; plain invokes get `{error, statusCode}`, which OpenWhisk
 * records as an application error.
 */
export function errorResult(params: Record<string, unknown>, err: unknown): WebResponse | { error: string; statusCode: number } {
  const statusCode = statusOf(err);
  const error = errorMessage(err);
  if (isWebCall(params)) return { statusCode, headers: { 'content-type': 'application/json' }, body: { error } };
  return { error, statusCode };
}

/**
 * A result that carries `error` (a failed job's status) is an application error in OpenWhisk; a web action's answer
 * is then the `error` field's value, so web callers get the whole object there and still see it as JSON.
 */
export function answer(params: Record<string, unknown>, result: Record<string, unknown>): Record<string, unknown> {
  if (isWebCall(params) && 'error' in result) return { error: result };
  return result;
}
