// Every request the host makes to an OpenWhisk API host has a deadline, set in one place: the HTTP agent the client's
// connections go through. An API host that accepts connections and never answers then ends a command with a clear
// error instead of holding it forever (the openwhisk client sets no timeout of its own).
import http from 'node:http';
import https from 'node:https';

/** How long the API host may take to answer one request, ms, by kind of request. */
export const ANSWER_MS = {
  /** Entity reads and writes, activation records, namespaces, non-blocking invokes: OpenWhisk answers them at once. */
  call: 30_000,
  /** A blocking invoke: OpenWhisk holds it up to its blocking wait (60 s), then answers 202 with the activation id. */
  blockingInvoke: 75_000,
} as const;

/** The API host did not answer a request by its deadline; the request was cut. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

export interface DeadlineOptions {
  /** Epoch ms: no request outlasts it, whatever its kind allows (a command's own bound, e.g. `run --wait-timeout`). */
  deadline?: number;
}

function isBlockingInvoke(method: string, path: string): boolean {
  return method === 'POST' && /\/actions\//.test(path) && /[?&]blocking=true(&|$)/.test(path);
}

/**
 * An agent whose every request is destroyed with a NoAnswerError naming `apihost` when no whole answer has come by its
 * deadline: ANSWER_MS by kind, and never past `options.deadline`.
 */
export function deadlineAgent(apihost: string, options: DeadlineOptions = {}): http.Agent {
  const Base = /^http:\/\//i.test(apihost) ? http.Agent : https.Agent;
  class DeadlineAgent extends Base {
    // addRequest is where every request, on a new or a kept-alive connection, is handed to the agent.
    addRequest(req: http.ClientRequest, requestOptions: unknown): void {
      const kind = isBlockingInvoke(req.method, req.path) ? 'blockingInvoke' : 'call';
      const ms = Math.max(0, Math.min(ANSWER_MS[kind], (options.deadline ?? Infinity) - Date.now()));
      const route = `${req.method} ${req.path.replace(/\?.*$/, '')}`;
      const timer = setTimeout(() => {
        req.destroy(new NoAnswerError(`no answer from the API host ${apihost} within ${Math.round(ms / 1000)} s (${route})`));
      }, ms);
      req.once('close', () => clearTimeout(timer));
      (Base.prototype as unknown as { addRequest: (r: http.ClientRequest, o: unknown) => void }).addRequest.call(this, req, requestOptions);
    }
  }
  // As Node's global agent: kept-alive connections given up before a server's 5 s keep-alive would close them.
  return new DeadlineAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });
}

/**
 * True when `err`, or an error it was made from (through `cause`), says the API host gave no answer at all: a request
 * cut by its deadline, a connection refused or reset. An error that carries an HTTP status is an answer, whatever its
 * message says (an action's own error may well mention ECONNREFUSED), but what it was made from is still looked at.
 */
export function isNoAnswer(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, message, statusCode } = e as { name?: unknown; message?: unknown; statusCode?: unknown };
    if (name === 'NoAnswerError' || name === 'DeadlineError') return true;
    if (typeof statusCode === 'number') continue;
    // The host's ActionError has no status exactly when no answer came.
    if (name === 'ActionError') return true;
    // The openwhisk client keeps only the message of a request that got no HTTP answer.
    if (typeof message === 'string' && /no answer from the API host|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|socket hang up/.test(message)) return true;
  }
  return false;
}

/**
 * `work`, or a NoAnswerError naming `apihost` once `deadline` (epoch ms) has passed without it: a bound on several
 * requests together (their retries included), such as everything `run --wait-timeout` does before the job is known.
 */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number | undefined, apihost: string, what: string): Promise<T> {
  if (deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswerError(`no answer from the API host ${apihost} in time (${what})`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
