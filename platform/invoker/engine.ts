// Runs actions: primitive ones in the container pool, sequences and compositions in the controller.
// Every run ends in a stored activation record, whatever fails on the way.
import type { ContainerPool, RunOutcome } from './types.ts';
import type { ActivationStore } from './activations.ts';
import { type ActivationRecord, makeResponse, newActivationId, newTransactionId, runRecord, whiskError } from './records.ts';
import { type ResolvedAction, entitled, resolveAction } from './resolve.ts';
import { type EntityStore, type CodeExec, type KeyValue, isSequence, isTruthy, getAnnotation } from '../store/entities.ts';
import { type EntityRef, refFqn } from '../names.ts';
import { runSequence } from './sequence.ts';
import { runComposition } from './conductor.ts';
import type { Accounting, RunContext } from './run-context.ts';
import type { ComponentInvoker } from './component-invoker.ts';

export class Invoker implements ComponentInvoker {
  private readonly revisions = new WeakMap<object, number>();
  private nextRevision = 1;

  constructor(
    readonly store: EntityStore,
    readonly activations: ActivationStore,
    readonly pool: ContainerPool,
    readonly sequenceLimit: number,
    /** Counts an activation in flight for its namespace until the returned function is called (throttling). */
    private readonly hold: (namespace: string) => () => void = () => () => undefined,
  ) {}

  /** The action at `ref`; with `asNamespace`, only when that namespace may invoke it (else undefined). */
  resolve(ref: EntityRef, asNamespace?: string): ResolvedAction | undefined {
    if (asNamespace !== undefined && !entitled(this.store, ref, asNamespace)) return undefined;
    return resolveAction(this.store, ref);
  }

  /** Runs any kind of action and stores its record; never rejects. */
  async run(ctx: RunContext, target: ResolvedAction, payload: Record<string, unknown>): Promise<ActivationRecord> {
    const start = Date.now();
    try {
      if (isSequence(target.action.exec)) return await runSequence(this, ctx, target, payload);
      if (isTruthy(target.action.annotations, 'conductor')) return await runComposition(this, ctx, target, payload);
      return await this.runPrimitive(ctx, target, payload);
    } catch (err) {
      const record = this.failedRecord(ctx, target, start, (err as Error)?.message ?? String(err));
      this.activations.put(record);
      return record;
    }
  }

  async runPrimitive(ctx: RunContext, target: ResolvedAction, payload: Record<string, unknown>): Promise<ActivationRecord> {
    const { action } = target;
    const exec = action.exec as CodeExec;
    // Parameters annotated `init: true` go to the runtime's /init as `env` and are left out of the run's arguments,
    // as OpenWhisk's invoker partitions them.
    const initKeys = new Set(action.parameters.filter((p) => p.init === true).map((p) => p.key));
    const params: Record<string, unknown> = {};
    const initEnv: Record<string, unknown> = {};
    for (const [k, v] of Object.entries({ ...target.params, ...payload })) (initKeys.has(k) ? initEnv : params)[k] = v;
    const requested = Date.now();
    const release = this.hold(ctx.caller.namespace);
    let outcome: RunOutcome;
    try {
      outcome = await this.pool.run({
        action: {
          fqn: `/${refFqn(target.ref)}`,
          version: this.revisionOf(action),
          code: exec.code,
          binary: exec.binary,
          main: exec.main ?? 'main',
          limits: action.limits,
          provideApiKey: getAnnotation(action.annotations, 'provide-api-key') !== false,
          ...(initKeys.size > 0 ? { initEnv } : {}),
        },
        params,
        activationId: ctx.activationId,
        transactionId: newTransactionId(),
        namespace: ctx.caller.namespace,
        apiKey: ctx.caller.apiKey,
      });
    } catch (err) {
      const now = Date.now();
      outcome = {
        status: 'whisk internal error',
        result: { error: (err as Error)?.message ?? 'The action failed to run.' },
        logs: [],
        start: requested,
        end: now,
        waitTime: now - requested,
        containerId: '',
        cold: false,
      };
    } finally {
      release();
    }
    const timedOut =
      outcome.status !== 'success' &&
      typeof outcome.result.error === 'string' &&
      outcome.result.error.startsWith('The action exceeded its time limits');
    const start = outcome.start - (outcome.initTime ?? 0);
    const annotations: KeyValue[] = [
      { key: 'path', value: refFqn(target.ref) },
      { key: 'waitTime', value: outcome.waitTime },
      { key: 'kind', value: exec.kind },
      { key: 'timeout', value: timedOut },
      { key: 'limits', value: { ...action.limits } },
    ];
    if (outcome.initTime !== undefined) annotations.push({ key: 'initTime', value: outcome.initTime });
    if (ctx.component) annotations.push({ key: 'causedBy', value: 'sequence' });
    if (target.binding) annotations.push({ key: 'binding', value: target.binding });
    const record = runRecord(ctx, action, {
      start,
      end: outcome.end,
      duration: Math.max(0, outcome.end - start),
      logs: outcome.logs,
      annotations,
      response: makeResponse(outcome.status, outcome.result),
    });
    this.activations.put(record);
    return record;
  }

  /** Runs a child of a sequence or composition under a fresh activation id. */
  runChild(parent: RunContext, target: ResolvedAction, payload: Record<string, unknown>, accounting?: Accounting) {
    return this.run(
      { caller: parent.caller, activationId: newActivationId(), cause: parent.activationId, component: true, accounting },
      target,
      payload,
    );
  }

  private revisionOf(action: object): string {
    let rev = this.revisions.get(action);
    if (rev === undefined) {
      rev = this.nextRevision++;
      this.revisions.set(action, rev);
    }
    return `${(action as { version: string }).version}+${rev}`;
  }

  private failedRecord(ctx: RunContext, target: ResolvedAction, start: number, message: string): ActivationRecord {
    const end = Date.now();
    const annotations: KeyValue[] = [
      { key: 'path', value: refFqn(target.ref) },
      { key: 'kind', value: target.action.exec.kind },
      { key: 'limits', value: { ...target.action.limits } },
    ];
    if (ctx.component) annotations.push({ key: 'causedBy', value: 'sequence' });
    return runRecord(ctx, target.action, { start, end, duration: end - start, logs: [], annotations, response: whiskError(message) });
  }
}
