// A kernel module built for deployment: its action code and its description, checked. Built once per module and
// process (deploying the built-in kernels for every test platform would otherwise bundle them each time).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelDescription } from '../../pipeline/kernel-control.ts';
import { bundleKernel } from './bundle.ts';
import { validateBundle } from './validate.ts';

export interface BuiltKernel {
  code: string;
  description: KernelDescription;
}

const built = new Map<string, Promise<BuiltKernel>>();

export function buildKernel(file: string): Promise<BuiltKernel> {
  const path = resolve(file);
  let stamp = '';
  try {
    stamp = String(statSync(path).mtimeMs);
  } catch {
    // bundleKernel says the module is missing.
  }
  const key = `${path}\n${stamp}`;
  let hit = built.get(key);
  if (!hit) {
    hit = (async () => {
      const code = await bundleKernel(path);
      return { code, description: await validateBundle(code, file) };
    })();
    built.set(key, hit);
    hit.catch(() => built.delete(key));
  }
  return hit;
}
