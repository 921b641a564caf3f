// The repository's layering, read from its own import graph: no cycles, the platform stands alone, and code that
// runs inside actions reaches nothing that only exists on the user's machine.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readImportGraph, type Import } from './helpers/import-graph.ts';
import { findCycles, formatCycle } from './helpers/import-cycles.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const ACTION_FOLDERS = ['actions', 'pipeline', 'kernels', 'catalog'];
const SOURCE_FOLDERS = [...ACTION_FOLDERS, 'host', 'cli', 'bench', 'platform', 'scripts', 'compositions'];
const HOST_ONLY_FOLDERS = ['host', 'cli', 'platform', 'bench', 'test', 'scripts'];
// An action runs in a container with no terminal and no business starting processes on the machine under it.
const HOST_ONLY_BUILTINS = ['child_process', 'cluster', 'inspector', 'readline', 'repl', 'tty'];

const graph = readImportGraph(root, SOURCE_FOLDERS);

/** Every import of the files under `folders`, each with the file that makes it. */
function importsUnder(folders: readonly string[]): { file: string; imported: Import }[] {
  return [...graph].flatMap(([file, imports]) =>
    inFolder(file, folders) ? imports.map((imported) => ({ file, imported })) : [],
  );
}

function inFolder(path: string, folders: readonly string[]): boolean {
  return folders.some((folder) => path.startsWith(`${folder}/`));
}

/** platform/'s folders as one module each (`platform/api`, `platform/invoker`, …); the files at its top level alone. */
function platformLayer(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'platform') return undefined;
  return parts.length > 2 ? parts.slice(0, 2).join('/') : path;
}

function listed(heading: string, lines: readonly string[]): string {
  return `${heading}:\n  ${lines.join('\n  ')}`;
}

describe('import graph', () => {
  it('is read from every source folder, and every relative import names a file', () => {
    const emptyFolders = SOURCE_FOLDERS.filter((folder) => ![...graph.keys()].some((file) => inFolder(file, [folder])));
    expect(emptyFolders, listed('folders with no source files read', emptyFolders)).toEqual([]);
    const missing = importsUnder(SOURCE_FOLDERS)
      .filter(({ imported }) => imported.target.kind === 'missing')
      .map(({ file, imported }) => `${file} -> ${imported.specifier}`);
    expect(missing, listed('relative imports that name no file', missing)).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles = findCycles(graph).map(formatCycle);
    expect(cycles, listed('import cycles', cycles)).toEqual([]);
  });

  it("platform/'s folders import each other in no cycle (platform/invoker nothing from platform/api)", () => {
    const cycles = findCycles(graph, platformLayer).map(formatCycle);
    expect(cycles, listed("import cycles between platform/'s folders", cycles)).toEqual([]);
  });

  it('platform/ imports nothing from outside platform/', () => {
    const outside = importsUnder(['platform'])
      .filter(({ imported }) => imported.target.kind === 'file' && !inFolder(imported.target.path, ['platform']))
      .map(({ file, imported }) => `${file} -> ${imported.specifier}`);
    expect(outside, listed('platform/ files importing from outside platform/', outside)).toEqual([]);
  });

  it('action code imports nothing from host/, cli/, platform/, bench/, test/ or scripts/', () => {
    const hostOnly = importsUnder(ACTION_FOLDERS)
      .filter(({ imported }) => imported.target.kind === 'file' && inFolder(imported.target.path, HOST_ONLY_FOLDERS))
      .map(({ file, imported }) => `${file} -> ${imported.specifier}`);
    expect(hostOnly, listed('action code importing host-only code', hostOnly)).toEqual([]);
  });

  const BUNDLER_ALIASES = ['supercompute:kernel', 'supercompute:watchdog-thread'];
  it("action code's npm packages are package.json dependencies, not devDependencies", () => {
    const { dependencies = {} } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const undeclared = importsUnder(ACTION_FOLDERS)
      // `supercompute:kernel` and `supercompute:watchdog-thread` are no packages: the kernel bundler aliases them to the
      // kernel module (host/kernels/bundle.ts) and to the watchdog thread's script (host/bundling/thread-source.ts).
      .filter(({ imported }) => imported.target.kind === 'package' && !BUNDLER_ALIASES.includes(imported.specifier) && !(imported.target.name in dependencies))
      .map(({ file, imported }) => `${file} -> ${imported.specifier}`);
    expect(undeclared, listed('action code importing packages outside dependencies', undeclared)).toEqual([]);
  });

  it(`action code imports no host-only Node builtin (${HOST_ONLY_BUILTINS.join(', ')})`, () => {
    const hostOnly = importsUnder(ACTION_FOLDERS)
      .filter(({ imported }) => imported.target.kind === 'builtin' && HOST_ONLY_BUILTINS.includes(imported.target.name))
      .map(({ file, imported }) => `${file} -> ${imported.specifier}`);
    expect(hostOnly, listed('action code importing host-only builtins', hostOnly)).toEqual([]);
  });
});
