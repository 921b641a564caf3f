// What every route module shares: options, stores, the invoker, admission control.
import type { PlatformOptions } from '../config.ts';
import type { EntityStore } from '../store/entities.ts';
import type { ActivationStore } from '../invoker/activations.ts';
import type { Invoker } from '../invoker/engine.ts';
import type { Caller } from '../invoker/run-context.ts';
import type { Throttle } from '../invoker/throttle.ts';
import type { ResolvedAction } from '../invoker/resolve.ts';
import { type ActivationRecord, newActivationId } from '../invoker/records.ts';
import type { Faults } from '../faults.ts';
import type { AlarmProvider } from '../alarms/provider.ts';
import { refFqn } from '../names.ts';

export interface ApiContext {
  options: PlatformOptions;
  store: EntityStore;
  activations: ActivationStore;
  invoker: Invoker;
  throttle: Throttle;
  faults: Faults;
  alarms: AlarmProvider;
}

export interface Started {
  activationId: string;
  done: Promise<ActivationRecord>;
}

/** Admits an invocation (429 past the namespace's limits) and starts it. */
export function startActivation(
  ctx: ApiContext,
  caller: Caller,
  target: ResolvedAction,
  payload: Record<string, unknown>,
): Started {
  ctx.throttle.admitInvocation(caller.namespace);
  const activationId = newActivationId();
  if (ctx.faults.dropActivation(`/${refFqn(target.ref)}`, activationId)) {
    // A lost message: accepted, never run, never recorded.
    return { activationId, done: new Promise<ActivationRecord>(() => {}) };
  }
  const done = ctx.invoker.run({ caller, activationId }, target, payload);
  // Nobody awaits a non-blocking activation; a failure is already its record.
  done.catch(() => undefined);
  return { activationId, done };
}

/** Resolves with the record, or with undefined once `ms` have passed. */
export function waitFor(done: Promise<ActivationRecord>, ms: number): Promise<ActivationRecord | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    done.then(
      (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/** HTTP status of a completed blocking activation. */
export function httpStatusOf(record: ActivationRecord): number {
  switch (record.response.status) {
    case 'success':
      return 200;
    case 'application error':
    case 'action developer error':
      return 502;
    default:
      return 500;
  }
}
