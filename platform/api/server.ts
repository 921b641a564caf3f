// The HTTP server: body parsing, CORS, error answers in OpenWhisk's shape, and every resource's routes.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { ApiContext } from './context.ts';
import { WhiskError, badRequest, malformedJson } from '../errors.ts';
import { nestsDeeperThan, tooDeep } from '../json-depth.ts';
import { Messages } from '../messages.ts';
import { callerOf } from './http.ts';
import { newTransactionId } from '../invoker/records.ts';
import { registerNamespaces } from './namespaces.ts';
import { registerActions } from './actions.ts';
import { registerPackages } from './packages.ts';
import { registerActivations } from './activations.ts';
import { registerTriggers } from './triggers.ts';
import { registerRules } from './rules.ts';
import { registerWeb } from './web.ts';
import { registerAlarms } from './alarms.ts';
import { apiInfo, apiVersionInfo } from './info.ts';

/** What fastify names a reply it serialised as JSON. */
const FASTIFY_JSON = 'application/json; charset=utf-8';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH',
  'access-control-allow-headers': 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent',
};

export function createServer(ctx: ApiContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    // HEAD is served wherever GET is, as OpenWhisk's controller does.
    exposeHeadRoutes: true,
    bodyLimit: ctx.options.limits.maxPayloadSize,
    routerOptions: { maxParamLength: 1024 },
    // A stopping platform drops requests still held open (blocking invokes of activations that will never end, long
    // polls): their runs are gone with the containers, so nothing would ever answer them.
    forceCloseConnections: true,
    // Errors before routing (e.g. a bad percent-encoding in the path) answer in OpenWhisk's shape too.
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      void reply.code(status).headers(CORS).send({ error: Messages.urlIllegal, code: newTransactionId() });
    },
  });

  // Clients send `content-type: application/json` with empty bodies; OpenWhisk accepts them.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    if (nestsDeeperThan(text)) return done(badRequest(Messages.malformed(tooDeep)), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(malformedJson(err), undefined);
    }
  });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const tid = newTransactionId();
    (req as { tid?: string }).tid = tid;
    reply.headers({ ...CORS, 'x-request-id': tid });
    // Before any body is read: strangers get 401 without the server parsing what they send, and a
    // declared size past the route's limit is refused whatever the method.
    if (req.method !== 'OPTIONS' && req.url.startsWith('/api/v1/namespaces') && !callerOf(ctx, req)) {
      throw new WhiskError(401, Messages.unauthorized);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    const limit = req.routeOptions.bodyLimit ?? ctx.options.limits.maxPayloadSize;
    if (declared > limit) throw new WhiskError(413, Messages.entityTooBig(declared, limit));
  });

  // OpenWhisk's controller (akka-http's JSON marshaller) says `application/json` with no charset, and tools read it
  // literally: wskdeploy takes `GET /`'s runtimes only if the header is a substring of "application/json; charset=UTF-8".
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.getHeader('content-type') === FASTIFY_JSON) reply.header('content-type', 'application/json');
    return payload;
  });

  app.setErrorHandler((err: FastifyError | WhiskError, req, reply) => {
    const code = (req as { tid?: string }).tid ?? newTransactionId();
    if (err instanceof WhiskError) return reply.code(err.status).send({ error: err.message, code });
    if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = req.routeOptions.bodyLimit ?? ctx.options.limits.maxPayloadSize;
      const size = Number(req.headers['content-length'] ?? limit + 1);
      return reply.code(413).send({ error: Messages.entityTooBig(size, limit), code });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: err.message, code });
    return reply.code(500).send({ error: Messages.internal, code });
  });

  app.setNotFoundHandler((req, reply) => {
    const code = (req as { tid?: string }).tid ?? newTransactionId();
    if (req.method === 'OPTIONS') return reply.code(200).send();
    // A path that exists under other methods: 405 and the methods it has, as akka-http answers in OpenWhisk.
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: req.url.split('?')[0] }) !== null);
    if (allowed.length > 0) {
      return reply.code(405).header('allow', allowed.join(', ')).send({ error: Messages.methodNotAllowed(allowed), code });
    }
    return reply.code(404).send({ error: Messages.notFound, code });
  });

  app.get('/', async () => apiInfo(ctx));
  app.get('/api/v1', async () => apiVersionInfo());
  app.get('/ping', async () => 'pong');

  registerNamespaces(app, ctx);
  registerActions(app, ctx);
  registerPackages(app, ctx);
  registerActivations(app, ctx);
  registerTriggers(app, ctx);
  registerRules(app, ctx);
  registerWeb(app, ctx);
  registerAlarms(app, ctx);
  return app;
}
