// Checks a bundled kernel action before it is deployed: loaded in a child `node` process (the user's code runs there,
// not here), its kernel must be a valid one (pipeline/kernel-actions/check.ts). Answers the kernel's description.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KernelDescription } from '../../pipeline/kernel-actions/control.ts';

export class KernelModuleError extends Error {
  override readonly name = 'KernelModuleError';
}

const CHECK = `const m = require(process.argv[1]); process.stdout.write(JSON.stringify(m.checkKernel()));`;

export async function validateBundle(code: string, file: string): Promise<KernelDescription> {
  const dir = await mkdtemp(join(tmpdir(), 'supercompute-kernel-'));
  try {
    const bundle = join(dir, 'kernel.cjs');
    await writeFile(bundle, code);
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)(process.execPath, ['-e', CHECK, bundle], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }));
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
      const why = stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr.split('\n')[0] ?? (err as Error).message;
      throw new KernelModuleError(`kernel module ${file} fails to load: ${why}`);
    }
    const { problems, description } = JSON.parse(stdout) as { problems: string[]; description?: KernelDescription };
    if (problems.length > 0 || !description) throw new KernelModuleError(`kernel module ${file} is not a kernel:\n  ${problems.join('\n  ')}`);
    return description;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
