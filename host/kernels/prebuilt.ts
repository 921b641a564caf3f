// The built-in kernels, built by `npm run build` into build/kernels/ (NAME.js and NAME.json, its description) with the
// same buildKernel every kernel deploy uses, so deploying them costs no bundling. A kernel with a native addon (`sql`:
// DuckDB) is a zip action instead (NAME.zip): its bundle as index.js, the addon's packages in its node_modules.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';
import type { KernelDescription } from '../../pipeline/kernel-actions/control.ts';
import { buildKernel, type BuiltKernel } from './build.ts';
import { kernels } from '../../kernels/index.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(repoRoot, 'build', 'kernels');

/** The built-in kernels' names (kernels/index.ts, the one list) and modules. */
export const BUILTIN_KERNELS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.keys(kernels).map((n) => [n, join(repoRoot, 'kernels', `${n}.ts`)])),
);

/**
 * Kernels shipped as zip actions: the packages left out of the bundle and put in the zip's node_modules, with their
 * files. Only the linux-x64 (glibc) DuckDB binding is shipped: OpenWhisk's nodejs:20 image is Debian on x86-64; an
 * arm64 deployment would ship `@duckdb/node-bindings-linux-arm64` instead (its own build of this zip).
 */
export const ZIPPED_KERNELS: Readonly<Record<string, { external: string[]; packages: string[] }>> = Object.freeze({
  sql: {
    external: ['@duckdb/node-api'],
    packages: ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64', 'detect-libc'],
  },
});

const require = createRequire(join(repoRoot, 'package.json'));

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** What the zip is made of, for deciding whether the one built already is current (zipping 70 MB takes seconds). */
function zipStamp(code: string, packages: readonly string[]): string {
  const h = createHash('sha256').update(code);
  for (const p of packages) h.update(p).update(readFileSync(join(packageDir(p), 'package.json')));
  return h.digest('hex');
}

function writeZip(name: string, code: string, packages: readonly string[]): void {
  const zipFile = join(outDir, `${name}.zip`);
  const stampFile = join(outDir, `${name}.zip.sha256`);
  const stamp = zipStamp(code, packages);
  if (existsSync(zipFile) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  const zip = new AdmZip();
  zip.addFile('index.js', Buffer.from(code));
  zip.addFile('package.json', Buffer.from(JSON.stringify({ name: `supercompute-kernel-${name}`, main: 'index.js', private: true }, null, 2) + '\n'));
  for (const p of packages) zip.addLocalFolder(packageDir(p), `node_modules/${p}`, (file) => !/(^|\/)(README\.md|.*\.d\.ts|.*\.map)$/.test(file));
  zip.writeZip(zipFile);
  writeFileSync(stampFile, stamp);
}

export async function buildBuiltinKernels(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await Promise.all(
    Object.entries(BUILTIN_KERNELS).map(async ([name, file]) => {
      const zipped = ZIPPED_KERNELS[name];
      const k = await buildKernel(file, zipped?.external);
      writeFileSync(join(outDir, `${name}.json`), JSON.stringify(k.description, null, 2) + '\n');
      if (zipped) {
        writeZip(name, k.code, zipped.packages);
        rmSync(join(outDir, `${name}.js`), { force: true });
      } else {
        writeFileSync(join(outDir, `${name}.js`), k.code);
      }
    }),
  );
}

/** A built-in kernel as `npm run build` left it, or built now when it is not there. */
export async function builtinKernel(name: string): Promise<BuiltKernel> {
  const zipped = ZIPPED_KERNELS[name];
  const code = join(outDir, zipped ? `${name}.zip` : `${name}.js`);
  const description = join(outDir, `${name}.json`);
  if (!existsSync(code) || !existsSync(description)) {
    const file = BUILTIN_KERNELS[name];
    if (!file) throw new Error(`no built-in kernel ${name}`);
    await buildBuiltinKernels();
  }
  const built = { description: JSON.parse(readFileSync(description, 'utf8')) as KernelDescription };
  return zipped ? { ...built, code: readFileSync(code).toString('base64'), binary: true } : { ...built, code: readFileSync(code, 'utf8') };
}
