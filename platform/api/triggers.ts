// /api/v1/namespaces/{ns}/triggers: create, update, get, list, delete, fire.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.ts';
import { startActivation } from './context.ts';
import { query, boolParam, bodyObject, keyValues } from './http.ts';
import { WhiskError, notFound } from '../errors.ts';
import { Messages } from '../messages.ts';
import { resolveName } from '../names.ts';
import { listRoute, resourceTarget } from './resource.ts';
import { type TriggerEntity, bumpVersion, paramsToObject } from '../store/entities.ts';
import { type ActivationRecord, makeResponse, newActivationId } from '../invoker/records.ts';
import type { Caller } from '../invoker/run-context.ts';

export function triggerJson(t: TriggerEntity): Record<string, unknown> {
  const out: Record<string, unknown> = {
    namespace: t.namespace,
    name: t.name,
    version: t.version,
    publish: t.publish,
    parameters: t.parameters,
    annotations: t.annotations,
    limits: {},
    updated: t.updated,
  };
  if (t.rules && Object.keys(t.rules).length > 0) out.rules = t.rules;
  return out;
}

/** One line of the trigger's record per rule, in OpenWhisk's shape. */
function ruleLine(rule: string, action: string, statusCode: number, outcome: { activationId: string } | { error: string }): string {
  return JSON.stringify({ rule, action, statusCode, success: statusCode === 0, ...outcome });
}

/**
 * Invokes the action of every active rule, as the caller, with the trigger's parameters and the payload.
 * Returns the trigger activation id, or undefined when no rule is active (then no record is written).
 */
function fire(ctx: ApiContext, caller: Caller, trigger: TriggerEntity, payload: Record<string, unknown>): string | undefined {
  const rules = Object.entries(trigger.rules ?? {});
  if (!rules.some(([, r]) => r.status === 'active')) return undefined;
  const activationId = newActivationId();
  const args = { ...paramsToObject(trigger.parameters), ...payload };
  const logs = rules.map(([rule, r]) => {
    const action = `${r.action.path}/${r.action.name}`;
    if (r.status !== 'active') return ruleLine(rule, action, 1, { error: `Rule '${rule}' is inactive, action '${action}' was not activated.` });
    const ref = resolveName(`/${action}`, caller.namespace);
    const target = ref && ctx.invoker.resolve(ref, caller.namespace);
    if (!target) return ruleLine(rule, action, 1, { error: Messages.notFound });
    try {
      return ruleLine(rule, action, 0, { activationId: startActivation(ctx, caller, target, args).activationId });
    } catch (err) {
      const status = err instanceof WhiskError ? err.status : 500;
      return ruleLine(rule, action, status >= 500 ? 3 : 1, { error: (err as Error).message });
    }
  });
  const record: ActivationRecord = {
    namespace: caller.namespace,
    name: trigger.name,
    subject: caller.subject,
    activationId,
    start: Date.now(),
    end: 0,
    version: trigger.version,
    publish: false,
    logs,
    annotations: [],
    response: makeResponse('success', payload),
  };
  ctx.activations.put(record);
  return activationId;
}

export function registerTriggers(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/api/v1/namespaces/:namespace/triggers';
  listRoute(app, ctx, base, 'triggers', (ns) => ctx.store.triggers.inNamespace(ns), triggerJson);

  app.get(`${base}/:name`, async (req, reply) => {
    const t = ctx.store.triggers.get(resourceTarget(ctx, req).key);
    if (!t) throw notFound();
    return reply.send(triggerJson(t));
  });

  app.put(`${base}/:name`, async (req, reply) => {
    const { ns, name, key } = resourceTarget(ctx, req);
    const body = bodyObject(req);
    if (ctx.store.heldElsewhere(key, 'triggers')) throw new WhiskError(409, Messages.conformance);
    const old = ctx.store.triggers.get(key);
    if (old && !boolParam(query(req), 'overwrite')) throw new WhiskError(409, Messages.conflict);
    const entity: TriggerEntity = {
      namespace: ns,
      name,
      version: typeof body.version === 'string' ? body.version : old ? bumpVersion(old.version) : '0.0.1',
      publish: typeof body.publish === 'boolean' ? body.publish : (old?.publish ?? false),
      parameters: keyValues(body.parameters, 'parameters') ?? old?.parameters ?? [],
      annotations: keyValues(body.annotations, 'annotations') ?? old?.annotations ?? [],
      limits: {},
      rules: old?.rules,
      updated: Date.now(),
    };
    ctx.store.triggers.put(key, entity);
    return reply.send(triggerJson(entity));
  });

  app.delete(`${base}/:name`, async (req, reply) => {
    const removed = ctx.store.triggers.delete(resourceTarget(ctx, req).key);
    if (!removed) throw notFound();
    return reply.send(triggerJson(removed));
  });

  app.post(`${base}/:name`, { bodyLimit: ctx.options.limits.maxPayloadSize }, async (req, reply) => {
    const { caller, key } = resourceTarget(ctx, req);
    const trigger = ctx.store.triggers.get(key);
    if (!trigger) throw notFound();
    const payload = bodyObject(req);
    ctx.throttle.admitFire(caller.namespace);
    const activationId = fire(ctx, caller, trigger, payload);
    if (!activationId) return reply.code(204).send();
    return reply.code(202).header('x-openwhisk-activation-id', activationId).send({ activationId });
  });
}
