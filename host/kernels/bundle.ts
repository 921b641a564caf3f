// A kernel module bundled into a kernel action: the one kernel runtime (pipeline/kernel-actions/main.ts) with the
// module aliased in as `supercompute:kernel`, and everything either imports (the user's npm packages too) inside, with
// the options of every other action bundle.
import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionBundleOptions, luaScripts, watchdogThread } from '../bundling/bundle-options.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNTIME_ENTRY = join(repoRoot, 'pipeline/kernel-actions/main.ts');
/** What a kernel module may import as `supercompute`: defineKernel, KernelInputError and the types. */
const KERNEL_SDK = join(repoRoot, 'kernels/sdk.ts');

export class KernelBuildError extends Error {
  override readonly name = 'KernelBuildError';
}

function kernelModule(file: string): Plugin {
  return {
    name: 'supercompute-kernel',
    setup(b) {
      b.onResolve({ filter: /^supercompute:kernel$/ }, () => ({ path: file }));
      b.onResolve({ filter: /^supercompute$/ }, () => ({ path: KERNEL_SDK }));
    },
  };
}

/**
 * The kernel action's code for the kernel module `file`; a module that does not build throws esbuild's messages.
 * `external` packages stay `require`s, for an action shipped as a zip with them in its node_modules (native addons).
 */
export async function bundleKernel(file: string, external: readonly string[] = []): Promise<string> {
  const path = resolve(file);
  if (!existsSync(path)) throw new KernelBuildError(`no kernel module at ${file}`);
  try {
    const out = await build({
      ...actionBundleOptions,
      logLevel: 'silent',
      entryPoints: [RUNTIME_ENTRY],
      write: false,
      external: [...external],
      plugins: [luaScripts, watchdogThread, kernelModule(path)],
    });
    return out.outputFiles[0]!.text;
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    const lines = errors?.length
      ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
      : [(err as Error).message];
    throw new KernelBuildError(`kernel module ${file} does not build:\n  ${lines.join('\n  ')}`);
  }
}
