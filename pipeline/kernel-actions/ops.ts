// A kernel action's one entry: every kernel version is deployed as this code bundled with its one kernel, twice (a
// tasks action and a control action, pipeline/kernel-actions/catalog.ts), and `op` says what is asked:
//   plan      the kernel's checks on a job (parse, sizing, split): the entry action and the CLI ask before a job exists
//   describe  name, description, params, profile flags
//   work      one task of a push-mode job        (tasks action)
//   worker    a pull-mode worker                 (tasks action)
//   reduce    the job's result from its partials (control action)
import type { AnyKernel } from '../../kernels/types.ts';
import { HttpError, statusOf } from '../openwhisk/http.ts';
import { planRequestOf, kernelPlanOf, prepareWithKernel } from '../job/kernel-checks.ts';
import { dataAccessFor } from '../data/job-input.ts';
import type { KernelDescription, Refused } from './control.ts';
import { errorMessage, registerEnvSecrets } from '../openwhisk/redact.ts';
import { reduceJob } from '../reduce/reduce-job.ts';
import { runTask } from '../run/work.ts';
import { runWorker } from '../run/worker.ts';

export function describeKernel(kernel: AnyKernel): KernelDescription {
  return {
    name: kernel.name,
    description: kernel.description,
    params: { ...(kernel.params ?? {}) },
    waitsOnIo: kernel.waitsOnIo === true,
    producesPng: kernel.producesPng === true,
    ...(kernel.inputParam ? { inputParam: { param: kernel.inputParam.param, instead: [...(kernel.inputParam.instead ?? [])] } } : {}),
  };
}

function refused(err: unknown): Refused {
  return { refused: { statusCode: err instanceof HttpError ? err.statusCode : statusOf(err), error: errorMessage(err) } };
}

/** `op`, or for a hand-made call without one, the op its parameters imply. */
function opOf(params: Record<string, unknown>): unknown {
  if (params.op !== undefined) return params.op;
  if (params.worker !== undefined) return 'worker';
  if (params.index !== undefined) return 'work';
  return undefined;
}

export async function runKernelOp(kernel: AnyKernel, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const op = opOf(params);
  switch (op) {
    case 'work':
      return runTask(kernel, params);
    case 'worker':
      return (await runWorker(kernel, params)) as unknown as Record<string, unknown>;
    case 'reduce':
      return reduceJob(kernel, params);
    case 'describe':
      return { ...describeKernel(kernel) };
    case 'plan':
      registerEnvSecrets(params);
      try {
        const request = planRequestOf(params);
        const prepared = await prepareWithKernel(kernel, request, () => dataAccessFor(params, request.allowHosts ?? ''));
        if (!prepared) return { ...kernelPlanOf(kernel, request) };
        return { ...kernelPlanOf(kernel, { ...request, params: prepared }), params: prepared };
      } catch (err) {
        return { ...refused(err) };
      }
    default:
      return { ...refused(new HttpError(400, `unknown op ${JSON.stringify(op)} (one of: plan, describe, work, worker, reduce)`)) };
  }
}
