// /api/v1/namespaces/{ns}/activations: list (name limit skip count docs since upto), get, /result, /logs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.ts';
import { query, boolParam, intParam, listWindow } from './http.ts';
import { badRequest, notFound } from '../errors.ts';
import { Messages } from '../messages.ts';
import { recordJson, responseJson, summaryJson } from '../invoker/records.ts';
import { safeDecode } from '../names.ts';
import { requestNamespace } from './resource.ts';

export function registerActivations(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/api/v1/namespaces/:namespace/activations';
  const ns = (req: FastifyRequest) => requestNamespace(ctx, req).ns;
  const record = (req: FastifyRequest) => {
    const id = (req.params as { id: string }).id;
    const namespace = ns(req);
    if (!/^[0-9a-f]{32}$/.test(id)) throw badRequest(Messages.activationIdIllegal);
    const r = ctx.activations.get(namespace, id);
    if (!r) throw notFound();
    return r;
  };

  app.get(base, async (req, reply) => {
    const namespace = ns(req);
    const q = query(req);
    const w = listWindow(q, 'activations');
    const name = q.name ? safeDecode(q.name) : undefined;
    const { total, page } = ctx.activations.list(namespace, {
      name,
      since: intParam(q, 'since'),
      upto: intParam(q, 'upto'),
      skip: w.skip,
      limit: w.limit,
    });
    if (w.count) {
      if (boolParam(q, 'docs')) throw badRequest(Messages.docsNotAllowedWithCount);
      return reply.send({ activations: total });
    }
    return reply.send(page.map(boolParam(q, 'docs') ? recordJson : summaryJson));
  });

  app.get(`${base}/:id`, async (req, reply) => reply.send(recordJson(record(req))));
  app.get(`${base}/:id/result`, async (req, reply) => reply.send(responseJson(record(req).response)));
  app.get(`${base}/:id/logs`, async (req, reply) => reply.send({ logs: record(req).logs }));
}
