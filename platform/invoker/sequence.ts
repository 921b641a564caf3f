// Sequences: components run one after the other, each on the previous result; the first failure ends it.
// Nested sequences are flattened into their primitive components, as OpenWhisk does.
import type { ComponentInvoker } from './component-invoker.ts';
import type { RunContext } from './run-context.ts';
import type { ResolvedAction } from './resolve.ts';
import { type ActivationRecord, type ActivationResponse, applicationError, makeResponse } from './records.ts';
import { type SequenceExec, isSequence } from '../store/entities.ts';
import { resolveName } from '../names.ts';
import { Messages } from '../messages.ts';
import { Components } from './composite.ts';

/** The atomic components of a sequence, or the error message that stops it. */
export function flattenSequence(
  invoker: ComponentInvoker,
  exec: SequenceExec,
  namespace: string,
): ResolvedAction[] | string {
  const out: ResolvedAction[] = [];
  const expand = (components: string[]): string | undefined => {
    for (const name of components) {
      const ref = resolveName(name, namespace);
      const target = ref && invoker.resolve(ref, namespace);
      if (!target) return Messages.sequenceComponentNotFound;
      if (isSequence(target.action.exec)) {
        const err = expand(target.action.exec.components);
        if (err) return err;
      } else {
        out.push(target);
      }
      if (out.length > invoker.sequenceLimit) return Messages.sequenceIsTooLong;
    }
    return undefined;
  };
  return expand(exec.components) ?? out;
}

export async function runSequence(
  invoker: ComponentInvoker,
  ctx: RunContext,
  target: ResolvedAction,
  payload: Record<string, unknown>,
): Promise<ActivationRecord> {
  const children = new Components(target);
  let response: ActivationResponse;
  const components = flattenSequence(invoker, target.action.exec as SequenceExec, ctx.caller.namespace);
  if (typeof components === 'string') {
    response = applicationError(components);
  } else {
    let params: Record<string, unknown> = { ...target.params, ...payload };
    response = makeResponse('success', params);
    for (const component of components) {
      const child = await invoker.runChild(ctx, component, params);
      children.add(child, component);
      response = child.response;
      if (!child.response.success) break;
      params = child.response.result;
    }
  }
  return children.finish(invoker, ctx, response, { binding: target.binding });
}
