// /api/v1/namespaces/{ns}/actions: create, update, get, list, delete, invoke.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.ts';
import { startActivation, waitFor, httpStatusOf } from './context.ts';
import { rawTail, query, boolParam, intParam, bodyObject, keyValues } from './http.ts';
import { WhiskError, badRequest, notFound } from '../errors.ts';
import { Messages } from '../messages.ts';
import { type EntityRef, checkName, parseEntityId, refFqn, refKey, refPath, resolveName, safeDecode } from '../names.ts';
import { type ActionEntity, type Exec, type EntityLimits, isSequence, bumpVersion } from '../store/entities.ts';
import type { PlatformLimits } from '../config.ts';
import { recordJson } from '../invoker/records.ts';
import { isNodeKind, resolveKind, unsupportedKind } from '../kinds.ts';
import { readNamespace, requestNamespace, sendList } from './resource.ts';
import { entitled } from '../invoker/resolve.ts';

// OpenWhisk's pattern is ^([A-Za-z0-9+/]{4})*(…)$; with the length a multiple of 4 (checked first) this one says the
// same, and a repeated group would overflow V8's stack on a zip of tens of megabytes.
const BASE64 = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;

/** OpenWhisk treats code that looks like base64 as a zip. */
export function isBinaryCode(code: string): boolean {
  const t = code.trim();
  return t.length > 0 && t.length % 4 === 0 && BASE64.test(t);
}

export function actionJson(a: ActionEntity, withCode = true): Record<string, unknown> {
  let exec: Record<string, unknown>;
  if (isSequence(a.exec)) exec = { kind: 'sequence', components: a.exec.components };
  else {
    exec = { kind: a.exec.kind, binary: a.exec.binary };
    if (withCode) exec.code = a.exec.code;
    if (a.exec.main !== undefined) exec.main = a.exec.main;
  }
  return {
    namespace: a.namespace,
    name: a.name,
    version: a.version,
    publish: a.publish,
    exec,
    annotations: a.annotations,
    parameters: a.parameters,
    limits: a.limits,
    updated: a.updated,
  };
}

function summaryJson(a: ActionEntity): Record<string, unknown> {
  return {
    namespace: a.namespace,
    name: a.name,
    version: a.version,
    publish: a.publish,
    annotations: a.annotations,
    limits: a.limits,
    exec: { binary: isSequence(a.exec) ? false : a.exec.binary },
    updated: a.updated,
  };
}

function checkRange(name: string, unit: string, value: unknown, range: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(Messages.malformed(`${name} must be an integer`));
  if (value < range.min) throw badRequest(Messages.malformed(`requirement failed: ${name} ${value}${unit} below allowed threshold of ${range.min}${unit}`));
  if (value > range.max) throw badRequest(Messages.malformed(`requirement failed: ${name} ${value}${unit} exceeds allowed threshold of ${range.max}${unit}`));
  return value;
}

function parseLimits(v: unknown, old: EntityLimits | undefined, limits: PlatformLimits): EntityLimits {
  const base: EntityLimits = old ?? {
    timeout: limits.timeout.default,
    memory: limits.memory.default,
    logs: limits.logs.default,
    concurrency: limits.concurrency.default,
  };
  if (v === undefined || v === null) return { ...base };
  if (typeof v !== 'object') throw badRequest(Messages.malformed('limits must be an object'));
  const l = v as Record<string, unknown>;
  return {
    timeout: l.timeout === undefined ? base.timeout : checkRange('timeout', ' ms', l.timeout, limits.timeout),
    memory: l.memory === undefined ? base.memory : checkRange('memory', ' MB', l.memory, limits.memory),
    logs: l.logs === undefined ? base.logs : checkRange('logs', ' MB', l.logs, limits.logs),
    concurrency:
      l.concurrency === undefined ? base.concurrency : checkRange('concurrency', '', l.concurrency, limits.concurrency),
  };
}

function parseExec(ctx: ApiContext, self: EntityRef, v: unknown): Exec {
  if (!v || typeof v !== 'object') throw badRequest(Messages.malformed('exec must be an object'));
  const e = v as Record<string, unknown>;
  const kind = resolveKind(e.kind);
  if (kind === 'sequence') return parseSequence(ctx, self, e.components);
  if (!isNodeKind(kind)) throw unsupportedKind(e.kind);
  // Empty code is accepted, as OpenWhisk accepts it; such an action fails at init ("Missing main/no code to execute.").
  if (typeof e.code !== 'string') throw badRequest(Messages.malformed("'code' must be a string defined in 'exec' for 'nodejs' actions"));
  if (Buffer.byteLength(e.code) > ctx.options.limits.maxCodeSize) {
    throw new WhiskError(413, Messages.entityTooBig(Buffer.byteLength(e.code), ctx.options.limits.maxCodeSize));
  }
  const exec: Exec = { kind, code: e.code, binary: isBinaryCode(e.code) };
  if (typeof e.main === 'string' && e.main !== '') exec.main = e.main;
  return exec;
}

function parseSequence(ctx: ApiContext, self: EntityRef, v: unknown): Exec {
  if (!Array.isArray(v) || v.length === 0 || v.some((c) => typeof c !== 'string')) {
    throw badRequest(Messages.malformed('sequence components must be a non-empty array of action names'));
  }
  const selfKey = refKey(self);
  const components: string[] = [];
  for (const name of v as string[]) {
    const ref = resolveName(name, self.namespace);
    if (!ref) throw badRequest(Messages.sequenceComponentNotFound);
    // As OpenWhisk: the right to read every component is checked before the components are looked for.
    if (!entitled(ctx.store, ref, self.namespace)) throw new WhiskError(403, Messages.notAuthorized);
    components.push(refKey(ref));
  }
  // Count atomic actions across nested sequences and reject cycles.
  let atomic = 0;
  const visit = (names: string[]): void => {
    for (const key of names) {
      if (key === selfKey) throw badRequest(Messages.sequenceIsCyclic);
      const ref = resolveName(key, self.namespace);
      const target = ref && ctx.invoker.resolve(ref, self.namespace);
      if (!target) throw badRequest(Messages.sequenceComponentNotFound);
      if (isSequence(target.action.exec)) visit(target.action.exec.components);
      else atomic++;
      if (atomic > ctx.options.limits.actionSequenceLimit) throw badRequest(Messages.sequenceIsTooLong);
    }
  };
  visit(components);
  return { kind: 'sequence', components };
}

function checkPackage(ctx: ApiContext, ref: EntityRef): void {
  if (!ref.pkg) return;
  const pkg = ctx.store.packages.get(`/${ref.namespace}/${ref.pkg}`);
  if (!pkg) throw notFound();
  if ('namespace' in pkg.binding) throw badRequest(Messages.notAllowedOnBinding);
}

function put(ctx: ApiContext, ref: EntityRef, body: Record<string, unknown>, overwrite: boolean): ActionEntity {
  checkPackage(ctx, ref);
  const key = refKey(ref);
  if (ctx.store.heldElsewhere(key, 'actions')) throw new WhiskError(409, Messages.conformance);
  const old = ctx.store.actions.get(key);
  if (old && !overwrite) throw new WhiskError(409, Messages.conflict);
  const limits = ctx.options.limits;
  const exec = body.exec !== undefined ? parseExec(ctx, ref, body.exec) : old?.exec;
  if (!exec) throw badRequest(Messages.execUndefined);
  const parameters = keyValues(body.parameters, 'parameters') ?? (old && !isSequence(old.exec) ? old.parameters : []);
  const annotations = (keyValues(body.annotations, 'annotations') ?? old?.annotations ?? []).filter((a) => a.key !== 'exec');
  annotations.push({ key: 'exec', value: isSequence(exec) ? 'sequence' : exec.kind });
  const entity: ActionEntity = {
    namespace: refPath(ref),
    name: ref.name,
    version: typeof body.version === 'string' ? body.version : old ? bumpVersion(old.version) : '0.0.1',
    publish: typeof body.publish === 'boolean' ? body.publish : (old?.publish ?? false),
    exec,
    annotations,
    parameters: isSequence(exec) ? [] : parameters,
    limits: parseLimits(body.limits, old?.limits, limits),
    updated: Date.now(),
  };
  ctx.store.actions.put(key, entity);
  return entity;
}

export function registerActions(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/api/v1/namespaces/:namespace/actions';
  const idOf = (req: FastifyRequest) => ({ ...requestNamespace(ctx, req), raw: rawTail(req, '/actions/') });
  /** An action another namespace may also read and invoke, when its package is public. */
  const readableIdOf = (req: FastifyRequest) => {
    const { caller, ns } = readNamespace(ctx, req);
    const raw = rawTail(req, '/actions/');
    const forbidden = () => new WhiskError(403, Messages.notAuthorized);
    return { caller, ns, raw, forbidden };
  };

  const list = (req: FastifyRequest, reply: FastifyReply, ns: string, pkg?: string) =>
    sendList(req, reply, 'actions', pkg ? ctx.store.actions.inPath(`${ns}/${pkg}`) : ctx.store.actions.inNamespace(ns), summaryJson);

  app.get(base, async (req, reply) => list(req, reply, requestNamespace(ctx, req).ns));

  app.get(`${base}/*`, async (req, reply) => {
    const { caller, ns, raw, forbidden } = readableIdOf(req);
    if (raw.endsWith('/') || raw === '') {
      const pkg = raw.replace(/\/$/, '');
      const path = pkg === '' ? undefined : checkName(safeDecode(pkg));
      if (!entitled(ctx.store, { namespace: ns, pkg: path, name: '_' }, caller.namespace)) throw forbidden();
      return list(req, reply, ns, path);
    }
    const ref = parseEntityId(ns, raw, true);
    if (!entitled(ctx.store, ref, caller.namespace)) throw forbidden();
    const action = ctx.store.actions.get(refKey(ref));
    if (!action) {
      // An action reached through a package binding shows with the binding's parameters merged.
      const resolved = ref.pkg ? ctx.invoker.resolve(ref) : undefined;
      if (!resolved) throw notFound();
      const merged = { ...resolved.action, parameters: Object.entries(resolved.params).map(([key, value]) => ({ key, value })) };
      return reply.send(actionJson(merged, boolParam(query(req), 'code', true)));
    }
    return reply.send(actionJson(action, boolParam(query(req), 'code', true)));
  });

  app.put(`${base}/*`, { bodyLimit: Math.ceil(ctx.options.limits.maxCodeSize * 1.4) + 1024 * 1024 }, async (req, reply) => {
    const { ns, raw } = idOf(req);
    const ref = parseEntityId(ns, raw, true);
    const entity = put(ctx, ref, bodyObject(req), boolParam(query(req), 'overwrite'));
    return reply.send(actionJson(entity));
  });

  app.delete(`${base}/*`, async (req, reply) => {
    const { ns, raw } = idOf(req);
    const ref = parseEntityId(ns, raw, true);
    const removed = ctx.store.actions.delete(refKey(ref));
    if (!removed) throw notFound();
    return reply.send(actionJson(removed));
  });

  app.post(`${base}/*`, { bodyLimit: ctx.options.limits.maxPayloadSize }, async (req, reply) => {
    const { caller, ns, raw, forbidden } = readableIdOf(req);
    const ref = parseEntityId(ns, raw, true);
    if (!entitled(ctx.store, ref, caller.namespace)) throw forbidden();
    const q = query(req);
    const blocking = boolParam(q, 'blocking');
    const resultOnly = boolParam(q, 'result');
    const timeout = intParam(q, 'timeout');
    const maxWait = ctx.options.limits.maxWaitForBlockingActivation;
    if (timeout !== undefined && (timeout < 1 || timeout > maxWait)) throw badRequest(Messages.invalidTimeout(maxWait));
    const payload = bodyObject(req);
    const target = ctx.invoker.resolve(ref);
    if (!target) throw notFound();
    if (Object.keys(payload).some((k) => target.finalKeys.has(k))) throw badRequest(Messages.parametersNotAllowed);
    if (ctx.faults.throttleInvoke(`/${refFqn(target.ref)}`)) {
      const allowed = ctx.options.limits.invocationsPerMinute;
      throw new WhiskError(429, Messages.tooManyRequests(allowed, allowed));
    }
    const { activationId, done } = startActivation(ctx, caller, target, payload);
    reply.header('x-openwhisk-activation-id', activationId);
    if (!blocking) return reply.code(202).send({ activationId });
    const record = await waitFor(done, timeout ?? maxWait);
    if (!record) return reply.code(202).send({ activationId });
    return reply.code(httpStatusOf(record)).send(resultOnly ? record.response.result : recordJson(record));
  });
}

