// A kernel module's default export: `export default defineKernel({ name, description, parse, split, work, reduce })`.
// It only adds types; the object is the kernel.
import type { Kernel } from './types.ts';

export function defineKernel<Params, Partial, Result>(kernel: Kernel<Params, Partial, Result>): Kernel<Params, Partial, Result> {
  return kernel;
}
