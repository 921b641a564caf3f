// Looks kernels up by name for the actions; an unknown name is the caller's mistake (400).
import { getKernel, kernels } from '../kernels/index.ts';
import type { AnyKernel } from '../kernels/types.ts';
import { HttpError } from './http.ts';

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
