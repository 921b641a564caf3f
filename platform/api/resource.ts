// What the entity route modules share: the namespace and entity a request names, and the list route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.ts';
import type { Caller } from '../invoker/run-context.ts';
import { anyNamespaceOf, authenticate, namespaceOf, query, listWindow } from './http.ts';
import { checkName, safeDecode } from '../names.ts';

/** The authenticated caller and the namespace in the URL (`:namespace`). */
export function requestNamespace(ctx: ApiContext, req: FastifyRequest): { caller: Caller; ns: string } {
  const caller = authenticate(ctx, req);
  const ns = namespaceOf(caller, (req.params as { namespace: string }).namespace);
  return { caller, ns };
}

/**
 * The authenticated caller and the namespace in the URL, which may be another one's: the route admits only what is
 * public there (OpenWhisk's entitlement for shared packages).
 */
export function readNamespace(ctx: ApiContext, req: FastifyRequest): { caller: Caller; ns: string; own: boolean } {
  const caller = authenticate(ctx, req);
  const ns = anyNamespaceOf(caller, (req.params as { namespace: string }).namespace);
  return { caller, ns, own: ns === caller.namespace };
}

/** The entity named by `:namespace/:name`, with its store key. */
export function resourceTarget(
  ctx: ApiContext,
  req: FastifyRequest,
): { caller: Caller; ns: string; name: string; key: string } {
  const { caller, ns } = requestNamespace(ctx, req);
  const name = checkName(safeDecode((req.params as { name: string }).name));
  return { caller, ns, name, key: `/${ns}/${name}` };
}

/** A list answer: `{collection: n}` with `?count=true`, else the `skip`/`limit` window of the entities. */
export function sendList<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  collection: string,
  all: T[],
  toJson: (entity: T) => unknown,
): FastifyReply {
  const w = listWindow(query(req), collection);
  if (w.count) return reply.send({ [collection]: all.length });
  return reply.send(all.slice(w.skip, w.skip + w.limit).map((e) => toJson(e)));
}

/** GET `base`: the collection's entities in the request's namespace. */
export function listRoute<T>(
  app: FastifyInstance,
  ctx: ApiContext,
  base: string,
  collection: string,
  inNamespace: (ns: string) => T[],
  toJson: (entity: T) => unknown,
): void {
  app.get(base, async (req, reply) => {
    const { ns } = requestNamespace(ctx, req);
    return sendList(req, reply, collection, inNamespace(ns), toJson);
  });
}
