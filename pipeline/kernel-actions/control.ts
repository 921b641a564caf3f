// Calls to a kernel's control action (`op: plan | describe | reduce`), blocking: the pipeline's entry and reduce, and
// the host, ask the deployed kernel rather than carrying kernels of their own. Answers that refuse a request come back
// as `{refused: {statusCode, error}}`, a successful activation, so the caller can give the same status to its caller.
import type { InputParam } from '../../kernels/types.ts';
import { HttpError } from '../openwhisk/http.ts';
import { owClient, withRetry, type OwClient } from '../openwhisk/ow.ts';
import type { KernelPlan, KernelPlanRequest } from '../job/kernel-checks.ts';

export type KernelOp = 'plan' | 'describe' | 'reduce' | 'work' | 'worker';

export interface Refused {
  refused: { statusCode: number; error: string };
}

/** What `op: describe` answers. */
export interface KernelDescription {
  name: string;
  description: string;
  params: Record<string, string>;
  waitsOnIo: boolean;
  producesPng: boolean;
  inputParam?: InputParam;
}

/** Invokes `action` with `op` and waits for its result; a refusal becomes an HttpError with its status. */
export async function callKernel<T>(action: string, op: KernelOp, params: Record<string, unknown>, o: { deadline: number; ow?: OwClient }): Promise<T> {
  const ow = o.ow ?? owClient();
  const result = (await withRetry(`invoke ${action}`, () => ow.actions.invoke({ name: action, params: { ...params, op }, blocking: true, result: true }), {
    deadline: o.deadline,
  })) as unknown;
  if (result && typeof result === 'object' && 'refused' in result) {
    const r = (result as Refused).refused;
    throw new HttpError(r.statusCode, r.error);
  }
  if (!result || typeof result !== 'object' || 'activationId' in result) {
    throw new HttpError(504, `kernel action ${action} did not answer ${op} in time`);
  }
  return result as T;
}

export function askKernelPlan(action: string, request: KernelPlanRequest, o: { deadline: number; ow?: OwClient }): Promise<KernelPlan> {
  return callKernel<KernelPlan>(action, 'plan', { ...request }, o);
}
