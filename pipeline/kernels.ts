// Looks kernels up by name for the actions, and runs their parameter checks with errors the entry action maps to 400.
import { getKernel, kernels } from '../kernels/index.ts';
import type { AnyKernel } from '../kernels/types.ts';
import { HttpError } from './http.ts';
import { errorMessage } from './redact.ts';

export function kernelNames(): string[] {
  return Object.keys(kernels);
}

export function findKernel(name: unknown): AnyKernel {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new HttpError(400, `missing parameter 'kernel' (one of: ${kernelNames().join(', ')})`);
  }
  try {
    return getKernel(name);
  } catch {
    throw new HttpError(400, `unknown kernel '${name.slice(0, 100)}' (one of: ${kernelNames().join(', ')})`);
  }
}

/** Parses the kernel's params and checks the task count; any complaint is the caller's mistake (400). */
export function prepare(kernel: AnyKernel, raw: Record<string, unknown>, tasks: number): { params: unknown; total: number } {
  let params: unknown;
  try {
    params = kernel.parse(raw);
  } catch (err) {
    throw new HttpError(400, `invalid params for kernel '${kernel.name}': ${errorMessage(err)}`);
  }
  let total: number;
  try {
    total = kernel.split(params, tasks);
  } catch (err) {
    throw new HttpError(400, `cannot split kernel '${kernel.name}' into ${tasks} tasks: ${errorMessage(err)}`);
  }
  return { params, total };
}
