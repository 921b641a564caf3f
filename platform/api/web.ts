// Web actions: /api/v1/web/{ns}/{pkg|default}/{action}[.json|.http|.html|.text|.svg|.png][/path]
// for actions annotated `web-export`; no API key needed unless `require-whisk-auth`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.ts';
import { startActivation, waitFor } from './context.ts';
import { callerOf } from './http.ts';
import { WhiskError, badRequest, malformedJson, notFound } from '../errors.ts';
import { Messages } from '../messages.ts';
import { nestsDeeperThan, tooDeep } from '../json-depth.ts';
import { validName, safeDecode } from '../names.ts';
import { getAnnotation, isTruthy } from '../store/entities.ts';
import type { ActivationRecord } from '../invoker/records.ts';
import type { Caller } from '../invoker/run-context.ts';

const EXTENSIONS = ['json', 'http', 'html', 'text', 'svg', 'png'] as const;
type Extension = (typeof EXTENSIONS)[number];
const RESERVED = ['__ow_method', '__ow_headers', '__ow_path', '__ow_user', '__ow_body', '__ow_query'];

interface WebPath {
  namespace: string;
  pkg?: string;
  name: string;
  ext: Extension;
  rest: string; // "/a/b" after the action, or ""
}

function parsePath(tail: string, defaultNamespace: string): WebPath | undefined {
  const segments = tail.split('/').map(safeDecode);
  if (segments.length < 3) return undefined;
  const [ns, pkg, last, ...more] = segments;
  let name = last;
  let ext: Extension = 'http';
  const dot = last.lastIndexOf('.');
  if (dot > 0 && (EXTENSIONS as readonly string[]).includes(last.slice(dot + 1))) {
    name = last.slice(0, dot);
    ext = last.slice(dot + 1) as Extension;
  }
  const namespace = ns === '_' ? defaultNamespace : ns;
  if (!validName(namespace) || !validName(name) || (pkg !== 'default' && !validName(pkg))) return undefined;
  return { namespace, pkg: pkg === 'default' ? undefined : pkg, name, ext, rest: more.length ? `/${more.join('/')}` : '' };
}

function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

function isJsonFamily(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** Media types whose bodies are text; the rest are binary, and travel base64-encoded. */
function isTextType(type: string): boolean {
  return type.startsWith('text/') || isJsonFamily(type) || /^application\/(xml|javascript|x-www-form-urlencoded)$/.test(type) || type.endsWith('+xml');
}

function headersOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function rawQuery(req: FastifyRequest): string {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i + 1);
}

/** The request body as OpenWhisk hands it to web actions: parsed JSON or form, else a string or base64. */
function bodyValue(body: Buffer, contentType: string, raw: boolean): unknown {
  if (body.length === 0) return undefined;
  const type = mediaType(contentType);
  if (!raw && isJsonFamily(type)) {
    const text = body.toString('utf8');
    if (nestsDeeperThan(text)) throw badRequest(Messages.malformed(tooDeep));
    try {
      return JSON.parse(text);
    } catch (err) {
      throw malformedJson(err);
    }
  }
  if (!raw && type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  if (type === 'application/json' || !isTextType(type)) return body.toString('base64');
  return body.toString('utf8');
}

/** The action's arguments from the request, in OpenWhisk's regular or raw mode. */
function requestParams(req: FastifyRequest, path: WebPath, raw: boolean, immutable: Set<string>, user?: Caller): Record<string, unknown> {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const value = bodyValue(body, String(req.headers['content-type'] ?? ''), raw);
  const query = Object.fromEntries(new URLSearchParams(rawQuery(req)));
  const out: Record<string, unknown> = {
    __ow_method: req.method.toLowerCase(),
    __ow_headers: headersOf(req),
    __ow_path: path.rest,
  };
  if (user) out.__ow_user = user.namespace;
  if (raw) {
    out.__ow_query = rawQuery(req);
    out.__ow_body = value ?? '';
    return out;
  }
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const keys = [...Object.keys(query), ...(isObject ? Object.keys(value as object) : [])];
  if (keys.some((k) => RESERVED.includes(k) || immutable.has(k))) throw badRequest(Messages.parametersNotAllowed);
  Object.assign(out, query);
  if (isObject) Object.assign(out, value);
  else if (value !== undefined) out.__ow_body = value;
  return out;
}

function project(value: unknown, rest: string): unknown {
  let v = value;
  for (const field of rest.split('/').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[field];
  }
  return v;
}

const BASE64 = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;

function invalidMedia(type: string): WhiskError {
  return badRequest(`Response is not valid '${type}'.`);
}

function sendHttp(reply: FastifyReply, result: unknown): FastifyReply {
  if (!result || typeof result !== 'object' || Array.isArray(result)) throw invalidMedia('message/http');
  const r = result as Record<string, unknown>;
  const headers: Record<string, string | string[]> = {};
  if (r.headers !== undefined) {
    if (!r.headers || typeof r.headers !== 'object' || Array.isArray(r.headers)) throw invalidMedia('message/http');
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) {
      const values = Array.isArray(v) ? v : [v];
      if (values.some((x) => !['string', 'number', 'boolean'].includes(typeof x))) throw invalidMedia('message/http');
      headers[k] = values.length === 1 ? String(values[0]) : values.map(String);
    }
  }
  let code: number | undefined;
  if (r.statusCode !== undefined) {
    code = typeof r.statusCode === 'string' ? Number.parseInt(r.statusCode, 10) : (r.statusCode as number);
    if (!Number.isInteger(code) || code < 100 || code > 599) throw invalidMedia('message/http');
  }
  const typeKey = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
  const contentType = typeKey ? String(headers[typeKey]) : undefined;
  if (typeKey) delete headers[typeKey];
  reply.headers(headers);
  const body = r.body;
  if (body === undefined || body === null || body === '') return reply.code(code ?? 204).send();
  reply.code(code ?? 200);
  if (typeof body === 'string') {
    const type = mediaType(contentType ?? 'text/html');
    reply.header('content-type', contentType ?? 'text/html; charset=UTF-8');
    const binary = !isTextType(type) || (isJsonFamily(type) && body.length % 4 === 0 && BASE64.test(body));
    return reply.send(binary ? Buffer.from(body, 'base64') : body);
  }
  const type = mediaType(contentType ?? 'application/json');
  if (!isJsonFamily(type)) throw badRequest('Response type in header did not match generated content type.');
  reply.header('content-type', contentType ?? 'application/json');
  return reply.send(JSON.stringify(body));
}

function stringOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return undefined;
}

function sendResult(reply: FastifyReply, path: WebPath, record: ActivationRecord): FastifyReply {
  const { response } = record;
  if (response.status !== 'success' && response.status !== 'application error') {
    throw badRequest('There was an error processing your request.');
  }
  // An application error's `error` value answers the request as a result would.
  let result: unknown = response.success ? response.result : response.result.error;
  if (result === undefined) throw new WhiskError(404, 'Response does not include requested property.');
  if (path.ext === 'json' && path.rest) {
    result = project(result, path.rest);
    if (result === undefined) throw new WhiskError(404, 'Response does not include requested property.');
  }
  const fields = result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : undefined;
  switch (path.ext) {
    case 'http':
      return sendHttp(reply, result);
    case 'json':
      if (result === null || typeof result !== 'object') throw invalidMedia('application/json');
      return reply.header('content-type', 'application/json').send(JSON.stringify(result));
    case 'text': {
      const v = fields ? (fields.body ?? fields.text) : result;
      const text = v === undefined ? undefined : stringOf(v);
      if (text === undefined) throw new WhiskError(404, 'Response does not include requested property.');
      return reply.header('content-type', 'text/plain; charset=UTF-8').send(text);
    }
    case 'html':
    case 'svg': {
      const v = fields ? (fields.body ?? fields[path.ext]) : result;
      const type = path.ext === 'html' ? 'text/html' : 'image/svg+xml';
      if (typeof v !== 'string') throw invalidMedia(type);
      return reply.header('content-type', path.ext === 'html' ? 'text/html; charset=UTF-8' : type).send(v);
    }
    case 'png': {
      const v = fields ? (fields.body ?? fields.png) : result;
      if (typeof v !== 'string') throw invalidMedia('image/png');
      return reply.header('content-type', 'image/png').send(Buffer.from(v, 'base64'));
    }
  }
}

/**
 * OpenWhisk's `require-whisk-auth` (WebActions.scala, confirmAuthenticated): a secret in `X-Require-Whisk-Auth`, or
 * `true` for any valid key, of whichever namespace: the action sees whose in `__ow_user` and is the one to refuse
 * keys of other namespaces. `false` is as if absent; any other value admits no one.
 */
function authorized(annotation: unknown, req: FastifyRequest, user: Caller | undefined): boolean {
  if (annotation === undefined || annotation === false) return true;
  if (typeof annotation === 'string' || typeof annotation === 'number') {
    return req.headers['x-require-whisk-auth'] === String(annotation);
  }
  return annotation === true && user !== undefined;
}

export function registerWeb(app: FastifyInstance, ctx: ApiContext): void {
  // Web actions see the request body as it came: their own scope parses nothing.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.all('/api/v1/web/*', { bodyLimit: ctx.options.limits.maxPayloadSize }, async (req, reply) => {
      const tail = req.url.split('?')[0].slice('/api/v1/web/'.length);
      const path = parsePath(tail, ctx.options.namespace);
      if (!path || path.namespace !== ctx.options.namespace) throw notFound();
      const target = ctx.invoker.resolve({ namespace: path.namespace, pkg: path.pkg, name: path.name });
      if (!target || !isTruthy(target.action.annotations, 'web-export')) throw notFound();
      const annotations = target.action.annotations;
      const customOptions = getAnnotation(annotations, 'web-custom-options') === true;
      if (req.method === 'OPTIONS' && !customOptions) return reply.code(200).send();
      const user = callerOf(ctx, req);
      if (req.method !== 'OPTIONS' && !authorized(getAnnotation(annotations, 'require-whisk-auth'), req, user)) {
        throw new WhiskError(401, Messages.webActionUnauthorized);
      }
      const raw = getAnnotation(annotations, 'raw-http') === true;
      const payload = requestParams(req, path, raw, target.finalKeys, user);
      const owner: Caller = { namespace: ctx.options.namespace, subject: ctx.options.namespace, apiKey: ctx.options.auth };
      const { activationId, done } = startActivation(ctx, owner, target, payload);
      reply.header('x-openwhisk-activation-id', activationId);
      const record = await waitFor(done, ctx.options.limits.maxWaitForBlockingActivation);
      if (!record) throw new WhiskError(202, 'Response not yet ready.');
      return sendResult(reply, path, record);
    });
  });
}
