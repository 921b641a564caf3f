// Request helpers shared by the route modules: auth, namespaces, query parsing, bodies.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { WhiskError, badRequest } from '../errors.ts';
import { Messages } from '../messages.ts';
import type { Caller } from '../invoker/run-context.ts';
import type { ApiContext } from './context.ts';
import type { KeyValue } from '../store/entities.ts';
import { safeDecode } from '../names.ts';
import { SYSTEM_NAMESPACE } from '../config.ts';

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The caller named by basic auth, or undefined when the credentials are missing or wrong. */
export function callerOf(ctx: ApiContext, req: FastifyRequest): Caller | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  return callerWithKey(ctx, decoded);
}

/** The namespace whose key is `key` ("uuid:key"): the configured one, or `whisk.system` with the system key. */
export function callerWithKey(ctx: Pick<ApiContext, 'options'>, key: string): Caller | undefined {
  const { options } = ctx;
  const keys: [string, string][] = [
    [options.auth, options.namespace],
    [options.systemAuth, SYSTEM_NAMESPACE],
  ];
  // Every key is compared, so the time taken does not say which one nearly matched.
  let found: Caller | undefined;
  for (const [k, namespace] of keys) {
    if (sameString(key, k) && !found) found = { namespace, subject: namespace, apiKey: k };
  }
  return found;
}

export function authenticate(ctx: ApiContext, req: FastifyRequest): Caller {
  const caller = callerOf(ctx, req);
  if (!caller) throw new WhiskError(401, Messages.unauthorized);
  return caller;
}

/** The namespace in the URL: "_" is the caller's; another one is forbidden. */
export function namespaceOf(caller: Caller, raw: string): string {
  const ns = anyNamespaceOf(caller, raw);
  if (ns === caller.namespace) return ns;
  throw new WhiskError(403, Messages.notAuthorized);
}

/** The namespace in the URL, "_" being the caller's; whether the caller may read there is the route's to check. */
export function anyNamespaceOf(caller: Caller, raw: string): string {
  const ns = safeDecode(raw);
  return ns === '_' ? caller.namespace : ns;
}

/** The path after `marker` in the raw URL, query removed, still encoded. */
export function rawTail(req: FastifyRequest, marker: string): string {
  const url = req.url.split('?')[0];
  const i = url.indexOf(marker);
  return i < 0 ? '' : url.slice(i + marker.length);
}

type Query = Record<string, string | undefined>;

export function query(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

export function boolParam(q: Query, name: string, dflt = false): boolean {
  const v = q[name];
  if (v === undefined || v === '') return dflt;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid value for query parameter '${name}': ${v}`);
}

export function intParam(q: Query, name: string, collection = name): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(Messages.argumentNotInteger(collection, String(v)));
  return n;
}

export function listWindow(q: Query, collection: string): { skip: number; limit: number; count: boolean } {
  const max = 200;
  const skip = intParam(q, 'skip', collection) ?? 0;
  let limit = intParam(q, 'limit', collection) ?? 30;
  if (skip < 0) throw badRequest(Messages.listSkipOutOfRange(collection, skip));
  // OpenWhisk reads `skip` as a 32-bit integer.
  if (skip > 2 ** 31 - 1) throw badRequest(Messages.argumentNotInteger(collection, String(skip)));
  if (limit < 0 || limit > max) throw badRequest(Messages.listLimitOutOfRange(collection, limit, max));
  if (limit === 0) limit = max;
  return { skip, limit, count: boolParam(q, 'count') };
}

export function bodyObject(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || (Buffer.isBuffer(b) && b.length === 0)) return {};
  if (typeof b === 'object' && !Array.isArray(b) && !Buffer.isBuffer(b)) return b as Record<string, unknown>;
  throw badRequest(Messages.malformed('expected a JSON object'));
}

/** `[{key, value}]` as sent by clients; an object is accepted too. */
export function keyValues(v: unknown, field: string): KeyValue[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    return v.map((kv) => {
      if (!kv || typeof kv !== 'object' || typeof (kv as KeyValue).key !== 'string') {
        throw badRequest(Messages.malformed(`${field} must be an array of {key, value}`));
      }
      const { key, value, init } = kv as KeyValue;
      return init === undefined ? { key, value } : { key, value, init };
    });
  }
  if (typeof v === 'object') return Object.entries(v as object).map(([key, value]) => ({ key, value }));
  throw badRequest(Messages.malformed(`${field} must be an array of {key, value}`));
}
