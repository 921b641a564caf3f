// The entry of every kernel action: the build aliases `supercompute:kernel` to one kernel module (host/kernels/bundle.ts),
// so each bundle carries exactly one kernel. `kernelProblems` lets the deployer check the module before deploying it.
import * as kernelModule from 'supercompute:kernel';
import type { AnyKernel } from '../../kernels/types.ts';
import { kernelProblems } from './check.ts';
import { describeKernel, runKernelOp } from './ops.ts';

// Read as a namespace: a module without a default export is then reported by checkKernel, not a bundling error.
const loaded = (kernelModule as { default?: unknown }).default;

/** The bundled module's problems as a kernel (none: it is one), and its description when valid. */
export function checkKernel(): { problems: string[]; description?: ReturnType<typeof describeKernel> } {
  const problems = kernelProblems(loaded);
  return problems.length > 0 ? { problems } : { problems, description: describeKernel(loaded as AnyKernel) };
}

export function main(params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return runKernelOp(loaded as AnyKernel, params);
}
