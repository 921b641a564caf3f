// Conductor actions: the controller loop OpenWhisk uses for compositions.
// conductor(params) → {action, params, state} → component(params) → conductor(result + state) → …
// until the conductor answers without `action`. Counts are shared with nested compositions.
import type { ComponentInvoker } from './component-invoker.ts';
import type { Accounting, RunContext } from './run-context.ts';
import type { ResolvedAction } from './resolve.ts';
import { type ActivationRecord, type ActivationResponse, applicationError, newActivationId } from './records.ts';
import { isSequence, isTruthy } from '../store/entities.ts';
import { resolveName, refFqn } from '../names.ts';
import { Messages } from '../messages.ts';
import { Components } from './composite.ts';

function boxed(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return { [field]: value };
}

export async function runComposition(
  invoker: ComponentInvoker,
  ctx: RunContext,
  conductor: ResolvedAction,
  payload: Record<string, unknown> | undefined,
): Promise<ActivationRecord> {
  const children = new Components(conductor);
  const accounting: Accounting = ctx.accounting ?? { components: 0, conductors: 0 };
  const limit = invoker.sequenceLimit;
  let state: Record<string, unknown> | undefined;

  const loop = async (): Promise<ActivationResponse> => {
    let input = payload;
    for (;;) {
      if (accounting.conductors > 2 * limit) return applicationError(Messages.compositionIsTooLong);
      const params = state ? { ...(input ?? {}), ...state } : (input ?? {});
      accounting.conductors++;
      // The conductor itself runs as a plain action.
      const run = await invoker.runPrimitive(
        { caller: ctx.caller, activationId: newActivationId(), cause: ctx.activationId, component: true },
        conductor,
        params,
      );
      children.add(run, conductor);
      const result = run.response.result ?? {};
      const nextParams = boxed(result.params, 'value');
      state = boxed(result.state, 'state');
      if (!('action' in result) || result.action === undefined) {
        return { ...run.response, result: nextParams ?? result };
      }
      const next = result.action;
      const ref = typeof next === 'string' ? resolveName(next, ctx.caller.namespace) : undefined;
      if (!ref) {
        input = { error: Messages.compositionComponentInvalid(next) };
        continue;
      }
      if (accounting.components >= limit) {
        input = { error: Messages.compositionIsTooLong };
        continue;
      }
      const component = invoker.resolve(ref, ctx.caller.namespace);
      if (!component) {
        input = { error: Messages.compositionComponentNotFound(refFqn(ref)) };
        continue;
      }
      const nested = !isSequence(component.action.exec) && isTruthy(component.action.annotations, 'conductor');
      if (!nested) accounting.components++;
      const child = await invoker.runChild(ctx, component, nextParams ?? {}, nested ? accounting : undefined);
      children.add(child, component);
      input = child.response.result;
    }
  };

  return children.finish(invoker, ctx, await loop(), { conductor: true });
}
