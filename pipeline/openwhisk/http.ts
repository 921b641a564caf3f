// Errors that carry an HTTP status, and how an action answers them to web and to plain callers.
import { errorMessage } from './redact.ts';
import { StoreUnavailableError } from '../store/unavailable.ts';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export function isWebCall(params: Record<string, unknown>): boolean {
  return typeof params.__ow_method === 'string';
}

/**
 * A web call that changes something must come with the key of the namespace that owns the action. OpenWhisk's
 * `require-whisk-auth: true` admits any valid key, of whichever namespace, and passes its namespace as `__ow_user`;
 * the action itself must tell its own namespace from another one (OpenWhisk: docs/webactions.md, "Securing web
 * actions"; the controller's WebActions.scala). Plain invokes are the REST API's to authorize.
 */
export function checkWebCaller(params: Record<string, unknown>, ownNamespace: string | undefined): void {
  if (!isWebCall(params)) return;
  const user = params.__ow_user;
  if (typeof user !== 'string' || user === '') throw new HttpError(401, "this web action needs the namespace's key (Basic auth)");
  if (user !== ownNamespace) throw new HttpError(403, `a key of namespace '${user}' may not submit or cancel jobs of namespace '${ownNamespace ?? ''}'`);
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

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Web callers get an HTTP response, `{statusCode, headers, body}`, since OpenWhisk gives a web action's status code to
 * the caller only through `.http` (or no extension): with `.json` every answer is 200 and the response shows as the
 * body. Errors are application errors (`{error: response}`), as OpenWhisk's web action docs advise; plain invokes
 * get `{error, statusCode}`, also an application error.
 */
export function errorResult(
  params: Record<string, unknown>,
  err: unknown,
): { error: WebResponse } | { error: string; statusCode: number } {
  const statusCode = statusOf(err);
  const error = errorMessage(err);
  if (isWebCall(params)) return { error: { statusCode, headers: JSON_HEADERS, body: { error } } };
  return { error, statusCode };
}

/**
 * A successful answer. Web callers get it as the body of a 200 response (a failed job's status too: reading it
 * succeeded). For plain invokes a result that carries `error` (a failed job's status) is an application error.
 */
export function answer(params: Record<string, unknown>, result: Record<string, unknown>): Record<string, unknown> {
  if (isWebCall(params)) return { statusCode: 200, headers: JSON_HEADERS, body: result };
  return result;
}
