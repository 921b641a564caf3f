// Bundles every action and the action runtime into single CommonJS files under build/.
import { build } from 'esbuild';
import { actionBundleOptions, luaScripts } from './bundle-options.ts';
import { browserScripts } from './browser-bundle.ts';
import { buildBuiltinKernels } from '../kernels/prebuilt.ts';
import { readdirSync, readFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const buildDir = join(repoRoot, 'build');

/** Modules the official nodejs:20 runtime image preinstalls: left out of bundles, resolved at run time. */
export const runtimeProvided = ['openwhisk', 'redis', 'uuid', 'serialize-error'];

function entries(dir: string): string[] {
  const full = join(repoRoot, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(full, f));
}

export async function buildAll(): Promise<void> {
  const common = actionBundleOptions;
  const actions = entries('actions');
  if (actions.length > 0) {
    // Actions bundle all of their dependencies: a real OpenWhisk only needs the single file.
    // A renamed or removed action leaves no stale bundle behind to be deployed by mistake.
    rmSync(join(buildDir, 'actions'), { recursive: true, force: true });
    await build({ ...common, entryPoints: actions, outdir: join(buildDir, 'actions'), outExtension: { '.js': '.js' }, plugins: [luaScripts, browserScripts] });
  }
  await buildCatalog(common);
  await build({
    ...common,
    entryPoints: [join(repoRoot, 'platform/runtime/proxy.ts')].filter(existsSync),
    outdir: join(buildDir, 'runtime'),
    outExtension: { '.js': '.cjs' },
    // The runtime resolves redis 3 for composer's conductors from its own packages when asked to (composerRedis3).
    external: [...runtimeProvided, 'redis3'],
  });
  await buildCompositions();
  await buildBuiltinKernels();
}

/**
 * The `/whisk.system` catalog (`catalog/PACKAGE/ACTION.ts`, each file that exports `main`) into
 * `build/catalog/PACKAGE/ACTION.js`, which the platform installs when it starts.
 */
async function buildCatalog(common: Parameters<typeof build>[0]): Promise<void> {
  const root = join(repoRoot, 'catalog');
  if (!existsSync(root)) return;
  rmSync(join(buildDir, 'catalog'), { recursive: true, force: true });
  for (const pkg of readdirSync(root)) {
    const sources = entries(join('catalog', pkg)).filter((f) => /^export (async )?function main\b/m.test(readFileSync(f, 'utf8')));
    if (sources.length === 0) continue;
    await build({ ...common, entryPoints: sources, outdir: join(buildDir, 'catalog', pkg), outExtension: { '.js': '.js' } });
  }
}

interface CompiledComposition {
  composition: unknown;
  ast: unknown;
  version: string;
  actions?: { name: string; action: { exec: { kind: string; code: string } } }[];
}

/**
 * Wraps composer's generated conductor code. `redisUrl`, the setting every pipeline action reads, configures the
 * fork/join of `parallel`/`map` unless `$composer.redis` is given, and never travels on as a parameter.
 */
function conductorEntry(code: string): string {
  return `const conductor = (() => {
${code}
return main;
})();
function main(params) {
  if (params && Object.prototype.hasOwnProperty.call(params, 'redisUrl')) {
    const url = params.redisUrl;
    delete params.redisUrl;
    const c = params.$composer = params.$composer || {};
    if (!c.redis) c.redis = { uri: typeof url === 'string' && url.trim() !== '' ? url.trim() : 'redis://127.0.0.1:6379' };
  }
  return conductor(params);
}
module.exports.main = main;
`;
}

/**
 * Compiles each composition in compositions/ with composer's \`compose\` into build/compositions/NAME.json (what
 * composer's \`deploy\` takes), and bundles its conductor action into build/compositions/NAME.js: composer's
 * generated code with everything it requires at run time (openwhisk, and for parallel/map redis 3, redis-commands,
 * uuid), so that it runs on any OpenWhisk nodejs runtime. Actions a composition defines inline go to
 * build/compositions/NAME/ACTION.js.
 */
export async function buildCompositions(): Promise<void> {
  const dir = join(repoRoot, 'compositions');
  if (!existsSync(dir)) return;
  const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  if (files.length === 0) return;
  const out = join(buildDir, 'compositions');
  mkdirSync(out, { recursive: true });
  const require = createRequire(join(repoRoot, 'package.json'));
  const composeBin = require.resolve('openwhisk-composer/bin/compose.js');
  const { generate } = require('openwhisk-composer/conductor.js') as {
    generate(c: CompiledComposition): { action: { exec: { code: string } } };
  };
  const run = promisify(execFile);
  await Promise.all(
    files.map(async (file) => {
      const name = basename(file, '.js');
      const { stdout } = await run(process.execPath, [composeBin, join(dir, file)], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
      const compiled = JSON.parse(stdout) as CompiledComposition;
      writeFileSync(join(out, `${name}.json`), JSON.stringify(compiled, null, 2) + '\n');
      for (const a of compiled.actions ?? []) {
        const target = join(out, name, `${a.name.split('/').pop()}.js`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, a.action.exec.code);
      }
      await build({
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        logLevel: 'error',
        stdin: { contents: conductorEntry(generate(compiled).action.exec.code), resolveDir: repoRoot, sourcefile: `${name}.conductor.js`, loader: 'js' },
        alias: { redis: 'redis3' },
        outfile: join(out, `${name}.js`),
      });
    }),
  );
}
