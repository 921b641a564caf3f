// Bundles every action and the action runtime into single CommonJS files under build/.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = join(repoRoot, 'build');

/** Modules the official nodejs:20 runtime image preinstalls: left out of bundles, resolved at run time. */
export const runtimeProvided = ['openwhisk', 'redis', 'uuid', 'serialize-error'];

function entries(dir: string): string[] {
  const full = join(repoRoot, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(full, f));
}

export async function buildAll(): Promise<void> {
  const common = {
    bundle: true,
    platform: 'node' as const,
    target: 'node20',
    format: 'cjs' as const,
    sourcemap: false,
    logLevel: 'warning' as const,
  };
  const actions = entries('actions');
  if (actions.length > 0) {
    // Actions bundle all of their dependencies: a real OpenWhisk only needs the single file.
    await build({ ...common, entryPoints: actions, outdir: join(buildDir, 'actions'), outExtension: { '.js': '.js' } });
  }
  await build({
    ...common,
    entryPoints: [join(repoRoot, 'platform/runtime/proxy.ts')].filter(existsSync),
    outdir: join(buildDir, 'runtime'),
    outExtension: { '.js': '.cjs' },
    external: runtimeProvided,
  });
}

if (process.argv[1] && basename(process.argv[1]).startsWith('build')) {
  buildAll().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
