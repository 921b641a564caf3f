// A kernel module built for deployment: its action code and its description, checked. Built once per module and
// process (deploying the built-in kernels for every test platform would otherwise bundle them each time).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelDescription } from '../../pipeline/kernel-actions/control.ts';
import { bundleKernel } from './bundle.ts';
import { validateBundle } from './validate.ts';

export interface BuiltKernel {
  /** The action's JavaScript, or with `binary` a zip of it and its node_modules, base64. */
  code: string;
  description: KernelDescription;
  /** `code` is a zip action (main `main` in its index.js). */
  binary?: boolean;
}

const built = new Map<string, Promise<BuiltKernel>>();

export function buildKernel(file: string, external: readonly string[] = []): Promise<BuiltKernel> {
  const path = resolve(file);
  let stamp = '';
  try {
    stamp = String(statSync(path).mtimeMs);
  } catch {
    // bundleKernel says the module is missing.
  }
  const key = `${path}\n${stamp}\n${external.join(',')}`;
  let hit = built.get(key);
  if (!hit) {
    hit = (async () => {
      const code = await bundleKernel(path, external);
      return { code, description: await validateBundle(code, file) };
    })();
    built.set(key, hit);
    hit.catch(() => built.delete(key));
  }
  return hit;
}
