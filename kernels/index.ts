import type { AnyKernel } from './types.ts';
import { KernelInputError } from './types.ts';
import { pi } from './pi.ts';
import { primes } from './primes.ts';
import { mandelbrot } from './mandelbrot.ts';
import { wordcount } from './wordcount.ts';
import { sleep } from './sleep.ts';
import { map } from './map.ts';
import { sql } from './sql.ts';

export type { AnyKernel, Kernel, TaskRef } from './types.ts';
export { KernelInputError } from './types.ts';
export { defineKernel } from './define.ts';

/** The built-in kernels by name: the one list, which the build prebuilds and every deploy deploys (host/kernels/prebuilt.ts). */
export const kernels: Record<string, AnyKernel> = Object.freeze({ pi, primes, mandelbrot, wordcount, sleep, map, sql });

/** The kernel called `name`; throws KernelInputError listing the known kernels otherwise. */
export function getKernel(name: string): AnyKernel {
  if (typeof name === 'string' && Object.hasOwn(kernels, name)) return kernels[name];
  throw new KernelInputError(`unknown kernel "${String(name)}" (known: ${Object.keys(kernels).join(', ')})`);
}
