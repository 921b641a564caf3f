// /api/v1/namespaces/{ns}/packages: create (and bind), update, get, list, delete (?force=true).
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.ts';
import { query, boolParam, bodyObject, keyValues } from './http.ts';
import { WhiskError, badRequest, notFound } from '../errors.ts';
import { Messages } from '../messages.ts';
import { readNamespace, resourceTarget, sendList } from './resource.ts';
import { checkName, safeDecode } from '../names.ts';
import { type PackageEntity, bumpVersion } from '../store/entities.ts';
import { packageReadable } from '../invoker/resolve.ts';

function packageJson(p: PackageEntity): Record<string, unknown> {
  return {
    namespace: p.namespace,
    name: p.name,
    version: p.version,
    publish: p.publish,
    binding: p.binding,
    parameters: p.parameters,
    annotations: p.annotations,
    updated: p.updated,
  };
}

function parseBinding(v: unknown, ns: string): PackageEntity['binding'] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object') throw badRequest(Messages.malformed('binding must be an object'));
  const b = v as { namespace?: unknown; name?: unknown };
  if (b.namespace === undefined && b.name === undefined) return {};
  if (typeof b.namespace !== 'string' || typeof b.name !== 'string') throw badRequest(Messages.malformed('binding needs namespace and name'));
  return { namespace: b.namespace === '_' ? ns : b.namespace, name: b.name };
}

export function registerPackages(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/api/v1/namespaces/:namespace/packages';
  // Another namespace's packages: only its public ones (never a binding) are listed, and only they may be read (else
  // 403), as OpenWhisk's `packages-public` view and PackageCollection's read right have it.
  const isBinding = (p: PackageEntity) => 'namespace' in p.binding;
  app.get(base, async (req, reply) => {
    const { ns, own } = readNamespace(ctx, req);
    const all = ctx.store.packages.inNamespace(ns).filter((p) => own || (p.publish && !isBinding(p)));
    return sendList(req, reply, 'packages', all, packageJson);
  });

  app.get(`${base}/:name`, async (req, reply) => {
    const { caller, ns } = readNamespace(ctx, req);
    const name = checkName(safeDecode((req.params as { name: string }).name));
    if (!packageReadable(ctx.store, ns, name, caller.namespace)) throw new WhiskError(403, Messages.notAuthorized);
    const pkg = ctx.store.packages.get(`/${ns}/${name}`);
    if (!pkg) throw notFound();
    const b = pkg.binding as { namespace?: string; name?: string };
    const contentPath = b.namespace ? `${b.namespace}/${b.name}` : `${pkg.namespace}/${pkg.name}`;
    // Actions annotated `feed` are the package's feeds, listed apart as OpenWhisk does.
    const contents = ctx.store.actions.inPath(contentPath);
    const isFeed = (a: (typeof contents)[number]) => a.annotations.some((kv) => kv.key === 'feed');
    const summary = (a: (typeof contents)[number]) => ({ name: a.name, version: a.version, annotations: a.annotations });
    const actions = contents.filter((a) => !isFeed(a)).map(summary);
    const feeds = contents.filter(isFeed).map(summary);
    return reply.send({ ...packageJson(pkg), actions, feeds });
  });

  app.put(`${base}/:name`, async (req, reply) => {
    const { ns, name, key } = resourceTarget(ctx, req);
    const body = bodyObject(req);
    if (ctx.store.heldElsewhere(key, 'packages')) throw new WhiskError(409, Messages.conformance);
    const old = ctx.store.packages.get(key);
    if (old && !boolParam(query(req), 'overwrite')) throw new WhiskError(409, Messages.conflict);
    const binding = parseBinding(body.binding, ns) ?? old?.binding ?? {};
    if ('namespace' in binding) {
      if (!packageReadable(ctx.store, binding.namespace, binding.name, ns)) throw new WhiskError(403, Messages.notAuthorized);
      const bound = ctx.store.packages.get(`/${binding.namespace}/${binding.name}`);
      if (!bound) throw badRequest(Messages.bindingDoesNotExist);
      if ('namespace' in bound.binding) throw badRequest(Messages.bindingCannotReferenceBinding);
    }
    const entity: PackageEntity = {
      namespace: ns,
      name,
      version: typeof body.version === 'string' ? body.version : old ? bumpVersion(old.version) : '0.0.1',
      publish: typeof body.publish === 'boolean' ? body.publish : (old?.publish ?? false),
      binding,
      parameters: keyValues(body.parameters, 'parameters') ?? old?.parameters ?? [],
      annotations: keyValues(body.annotations, 'annotations') ?? old?.annotations ?? [],
      updated: Date.now(),
    };
    ctx.store.packages.put(key, entity);
    return reply.send(packageJson(entity));
  });

  app.delete(`${base}/:name`, async (req, reply) => {
    const { ns, name, key } = resourceTarget(ctx, req);
    const pkg = ctx.store.packages.get(key);
    if (!pkg) throw notFound();
    const contents = ctx.store.actions.inPath(`${ns}/${name}`);
    if (contents.length > 0) {
      if (!boolParam(query(req), 'force')) throw new WhiskError(409, Messages.packageNotEmpty);
      for (const a of contents) ctx.store.actions.delete(`/${a.namespace}/${a.name}`);
    }
    ctx.store.packages.delete(key);
    return reply.send(packageJson(pkg));
  });
}
