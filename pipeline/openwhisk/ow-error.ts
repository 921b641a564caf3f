// Short, readable messages for errors thrown by the openwhisk client.

/** The server's own words when there are some (`{error}` bodies, failed activations), else the client's message. */
export function describeOwError(err: unknown): string {
  if (!(err instanceof Error) && (typeof err !== 'object' || err === null)) return String(err);
  const e = err as { message?: string; statusCode?: number; error?: unknown; code?: string };
  const body = e.error as { error?: unknown; response?: { result?: { error?: unknown } } } | undefined;
  let detail: unknown;
  let fromActivation = false;
  if (body && typeof body === 'object') {
    fromActivation = body.response?.result?.error !== undefined;
    detail = fromActivation ? body.response?.result?.error : body.error;
  }
  if (typeof detail === 'object' && detail !== null) {
    const d = detail as { message?: unknown; error?: unknown };
    detail = typeof d.message === 'string' ? d.message : typeof d.error === 'string' ? d.error : JSON.stringify(detail);
  }
  const message = typeof detail === 'string' && detail !== '' ? detail : (e.message ?? String(err));
  if (/ECONNREFUSED/.test(message)) return `${message} (is the OpenWhisk API host running? try \`supercompute platform\`)`;
  return e.statusCode && !fromActivation ? `${message} (HTTP ${e.statusCode})` : message;
}

export function statusCodeOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { statusCode?: unknown }).statusCode === 'number'
    ? (err as { statusCode: number }).statusCode
    : undefined;
}
