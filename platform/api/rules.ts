// /api/v1/namespaces/{ns}/rules: create (active), update, enable/disable, get, list, delete.
// A rule's status lives on its trigger, as in OpenWhisk.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.ts';
import { query, boolParam, bodyObject, keyValues } from './http.ts';
import { WhiskError, badRequest, notFound } from '../errors.ts';
import { Messages } from '../messages.ts';
import { resolveName, refPath } from '../names.ts';
import { listRoute, resourceTarget } from './resource.ts';
import { type RuleEntity, type EntityName, bumpVersion } from '../store/entities.ts';
import { entitled } from '../invoker/resolve.ts';

function ruleJson(r: RuleEntity): Record<string, unknown> {
  return {
    namespace: r.namespace,
    name: r.name,
    version: r.version,
    publish: r.publish,
    status: r.status,
    trigger: r.trigger,
    action: r.action,
    annotations: r.annotations,
    updated: r.updated,
  };
}

function parseRef(v: unknown, ns: string): EntityName {
  const ref = typeof v === 'string' ? resolveName(v, ns) : undefined;
  if (!ref) throw badRequest(Messages.malformed('rule trigger and action must be entity names'));
  return { path: refPath(ref), name: ref.name };
}

export function registerRules(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/api/v1/namespaces/:namespace/rules';
  const target = (req: FastifyRequest) => {
    const t = resourceTarget(ctx, req);
    return { ...t, fqn: `${t.ns}/${t.name}` };
  };
  const triggerOf = (r: { trigger: EntityName }) => ctx.store.triggers.get(`/${r.trigger.path}/${r.trigger.name}`);
  // The trigger holds the status; a rule its trigger does not know is inactive.
  const withStatus = (r: RuleEntity): RuleEntity => ({
    ...r,
    status: triggerOf(r)?.rules?.[`${r.namespace}/${r.name}`]?.status ?? 'inactive',
  });

  listRoute(app, ctx, base, 'rules', (ns) => ctx.store.rules.inNamespace(ns), (r) => ruleJson(withStatus(r)));

  app.get(`${base}/:name`, async (req, reply) => {
    const r = ctx.store.rules.get(target(req).key);
    if (!r) throw notFound();
    return reply.send(ruleJson(withStatus(r)));
  });

  app.put(`${base}/:name`, async (req, reply) => {
    const { ns, name, key, fqn } = target(req);
    const body = bodyObject(req);
    if (ctx.store.heldElsewhere(key, 'rules')) throw new WhiskError(409, Messages.conformance);
    const old = ctx.store.rules.get(key);
    if (old && !boolParam(query(req), 'overwrite')) throw new WhiskError(409, Messages.conflict);
    const trigger = body.trigger !== undefined ? parseRef(body.trigger, ns) : old?.trigger;
    const action = body.action !== undefined ? parseRef(body.action, ns) : old?.action;
    if (!trigger || !action) throw badRequest('rule requires a valid trigger and a valid action');
    // OpenWhisk checks the right to read both before it looks for them: a trigger is only its namespace's (triggers
    // are never shared), an action its namespace's or in a package the rule's namespace may read.
    const actionRef = resolveName(`/${action.path}/${action.name}`, ns);
    if (trigger.path.split('/')[0] !== ns || (actionRef && !entitled(ctx.store, actionRef, ns))) throw new WhiskError(403, Messages.notAuthorized);
    const t = triggerOf({ trigger });
    if (!t) throw badRequest(`trigger /${trigger.path}/${trigger.name} does not exist`);
    if (!actionRef || !ctx.invoker.resolve(actionRef)) throw badRequest(`action /${action.path}/${action.name} does not exist`);
    if (old) {
      const oldTrigger = triggerOf(old);
      if (oldTrigger?.rules) delete oldTrigger.rules[fqn];
    }
    const status = old ? withStatus(old).status : 'active';
    t.rules = { ...(t.rules ?? {}), [fqn]: { action, status } };
    const entity: RuleEntity = {
      namespace: ns,
      name,
      version: typeof body.version === 'string' ? body.version : old ? bumpVersion(old.version) : '0.0.1',
      publish: typeof body.publish === 'boolean' ? body.publish : (old?.publish ?? false),
      status,
      trigger,
      action,
      annotations: keyValues(body.annotations, 'annotations') ?? old?.annotations ?? [],
      updated: Date.now(),
    };
    ctx.store.rules.put(key, entity);
    return reply.send(ruleJson(entity));
  });

  app.post(`${base}/:name`, async (req, reply) => {
    const { key, fqn } = target(req);
    const r = ctx.store.rules.get(key);
    if (!r) throw notFound();
    const status = bodyObject(req).status;
    if (status !== 'active' && status !== 'inactive') throw badRequest(Messages.ruleStatusInvalid);
    const t = triggerOf(r);
    if (!t) throw new WhiskError(404, 'Only rules with existing triggers can be activated');
    t.rules = { ...(t.rules ?? {}), [fqn]: { action: r.action, status } };
    ctx.store.rules.put(key, { ...r, status });
    return reply.code(200).send();
  });

  app.delete(`${base}/:name`, async (req, reply) => {
    const { key, fqn } = target(req);
    const r = ctx.store.rules.get(key);
    if (!r) throw notFound();
    const t = triggerOf(r);
    if (t?.rules) delete t.rules[fqn];
    ctx.store.rules.delete(key);
    return reply.send(ruleJson({ ...r, status: 'inactive' }));
  });
}
