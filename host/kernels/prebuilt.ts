// The built-in kernels, built by `npm run build` into build/kernels/ (NAME.js and NAME.json, its description) with the
// same buildKernel every kernel deploy uses, so deploying them costs no bundling.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelDescription } from '../../pipeline/kernel-control.ts';
import { buildKernel, type BuiltKernel } from './build.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(repoRoot, 'build', 'kernels');

/** The built-in kernels' names and modules. */
export const BUILTIN_KERNELS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(['pi', 'primes', 'mandelbrot', 'wordcount', 'sleep', 'map'].map((n) => [n, join(repoRoot, 'kernels', `${n}.ts`)])),
);

export async function buildBuiltinKernels(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await Promise.all(
    Object.entries(BUILTIN_KERNELS).map(async ([name, file]) => {
      const k = await buildKernel(file);
      writeFileSync(join(outDir, `${name}.js`), k.code);
      writeFileSync(join(outDir, `${name}.json`), JSON.stringify(k.description, null, 2) + '\n');
    }),
  );
}

/** A built-in kernel as `npm run build` left it, or built now when it is not there. */
export async function builtinKernel(name: string): Promise<BuiltKernel> {
  const code = join(outDir, `${name}.js`);
  const description = join(outDir, `${name}.json`);
  if (existsSync(code) && existsSync(description)) {
    return { code: readFileSync(code, 'utf8'), description: JSON.parse(readFileSync(description, 'utf8')) as KernelDescription };
  }
  const file = BUILTIN_KERNELS[name];
  if (!file) throw new Error(`no built-in kernel ${name}`);
  return buildKernel(file);
}
