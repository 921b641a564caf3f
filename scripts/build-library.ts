// Compiles the `supercompute` package (host/library/index.ts) into plain JavaScript that Node 20 loads without tsx:
// one ES module bundle, build/lib/index.js, with npm packages left as imports, and its declarations under
// build/lib/types/ (package.json's `exports` and `types` point at both).
import { build, type Plugin } from 'esbuild';
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { luaScripts } from '../host/bundling/bundle-options.ts';
import { repoRoot } from '../host/bundling/build-actions.ts';

export const libraryDir = join(repoRoot, 'build', 'lib');
const ENTRY = join(repoRoot, 'host', 'library', 'index.ts');

/**
 * Keeps each module's `import.meta.url` where its source file is: code that finds files beside itself (the platform's
 * runtime, the build's repository root) finds the same files from a bundle written to `outDir`.
 */
export function sourceLocations(outDir: string): Plugin {
  return {
    name: 'source-locations',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const fromBundle = relative(outDir, args.path).split(sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** The JavaScript: fast enough to run before every test run. */
export async function buildLibraryBundle(): Promise<void> {
  await build({
    entryPoints: [ENTRY],
    outfile: join(libraryDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [luaScripts, sourceLocations(libraryDir)],
  });
}

async function declarationFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.d.ts')).map((e) => join(e.parentPath ?? (e as { path?: string }).path, e.name));
}

/**
 * The declarations, by tsc (tsconfig.library.json). The sources import each other with `.ts` extensions; in the
 * declarations those become `.js`, the name every TypeScript version resolves to a declaration file.
 */
export async function buildLibraryTypes(): Promise<void> {
  const tsc = createRequire(join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.library.json')], { cwd: repoRoot });
  const relativeTs = /((?:from\s+|import\s*\(\s*)['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g;
  for (const file of await declarationFiles(join(libraryDir, 'types'))) {
    const text = await readFile(file, 'utf8');
    const rewritten = text.replace(relativeTs, '$1.js$2');
    if (rewritten !== text) await writeFile(file, rewritten);
  }
}

if (process.argv[1] && basename(process.argv[1]).startsWith('build-library')) {
  Promise.all([buildLibraryBundle(), buildLibraryTypes()]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
