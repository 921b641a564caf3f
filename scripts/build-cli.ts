// Compiles the `supercompute` command (cli/main.ts) into plain JavaScript under build/cli/, one chunk per command so
// that it still loads only the command it runs, with npm packages left as imports. cli/bin.mjs runs it when it is
// newer than every source it was built from, and the TypeScript through tsx otherwise, so an edited source is never
// shadowed by an old build. build/cli/sources.json lists those sources.
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { luaScripts } from '../host/bundling/bundle-options.ts';
import { repoRoot } from '../host/bundling/build-actions.ts';
import { sourceLocations } from './build-library.ts';

export const cliDir = join(repoRoot, 'build', 'cli');

export async function buildCli(): Promise<void> {
  await rm(cliDir, { recursive: true, force: true });
  const { metafile } = await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, 'cli', 'main.ts')],
    outdir: cliDir,
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [luaScripts, sourceLocations(cliDir)],
  });
  const sources = Object.keys(metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  await writeFile(join(cliDir, 'sources.json'), JSON.stringify(sources) + '\n');
}

if (process.argv[1] && basename(process.argv[1]).startsWith('build-cli')) {
  buildCli().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
