// /api/v1/namespaces and /api/v1/namespaces/{ns}/limits.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.ts';
import { authenticate } from './http.ts';
import { requestNamespace } from './resource.ts';

export function registerNamespaces(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/namespaces', async (req, reply) => {
    const caller = authenticate(ctx, req);
    return reply.send([caller.namespace]);
  });

  app.get('/api/v1/namespaces/:namespace/limits', async (req, reply) => {
    requestNamespace(ctx, req);
    const l = ctx.options.limits;
    return reply.send({
      concurrentInvocations: l.concurrentInvocations,
      invocationsPerMinute: l.invocationsPerMinute,
      firesPerMinute: l.firesPerMinute,
      minActionMemory: l.memory.min * 1024 * 1024,
      maxActionMemory: l.memory.max * 1024 * 1024,
      minActionLogs: l.logs.min * 1024 * 1024,
      maxActionLogs: l.logs.max * 1024 * 1024,
      minActionTimeout: l.timeout.min,
      maxActionTimeout: l.timeout.max,
      minActionConcurrency: l.concurrency.min,
      maxActionConcurrency: l.concurrency.max,
      maxParameterSize: l.maxPayloadSize,
      maxPayloadSize: l.maxPayloadSize,
      sequenceMaxActions: l.actionSequenceLimit,
    });
  });
}
