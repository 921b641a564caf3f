// The repository's layering, read from its own import graph: no cycles, the platform stands alone, and code that
// runs inside actions reaches nothing that only exists on the user's machine.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readImportGraph, type Import } from './helpers/import-graph.ts';
import { findCycles, formatCycle } from './helpers/import-cycles.ts';
import { scripts } from '../pipeline/store/scripts.ts';

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

/**
 * Where code lives: `pipeline/` by a job's stages, `host/` by concern, nothing loose at either root. A new file goes
 * into the folder whose stage or concern it serves; a new folder is a new stage or concern, and joins this list with
 * what it holds (and README's Architecture with it).
 */
const HOMES: Record<string, Record<string, string>> = {
  pipeline: {
    job: 'a request becoming a job: its spec, settings, creation, the entry, the opening every job step shares',
    sizing: 'how many tasks and workers a job gets',
    dispatch: 'split, the coordinator tree, the task window, starting workers, re-invoking tasks, the kernel messages',
    run: 'running tasks in push and pull mode: one TaskRun record, the worker context, large values, task errors',
    supervisor: 'looking after a running job: the pure decide, one period, the supervisor loop',
    reduce: 'merging the partials into the result',
    shuffle: 'a shuffle job: partitions through the object store, the reduce stage, datasets as outputs',
    store: 'the job store: the only code that touches Redis, its keys and its Lua scripts',
    data: "a job's data: inputs listed and cut, records read, URL policy, the value store",
    'kernel-actions': "the kernels' actions: their entry, ops, catalog of deployed versions, control calls",
    openwhisk: 'talking to the platform from inside an action: invokes, names, web answers, secrets',
    views: 'what people look at: status answers, the dashboard, plots',
    watchdog: "the kernel process's watchdog thread",
  },
  host: {
    bundling: 'bundling actions and kernels (build and deploy time)',
    manifest: 'reading a wskdeploy manifest and deploying it',
    target: 'which OpenWhisk a client talks to, and its limits',
    local: 'what runs on this machine: the one local start-up, Redis, the S3 server, ports',
    jobs: 'the one job client: submit, wait, sizing for a target, plots',
    kernels: "kernels' bundles and their deploys",
    library: 'the supercompute package users import',
    doctor: 'supercompute doctor',
  },
};

describe('where code lives', () => {
  for (const [folder, homes] of Object.entries(HOMES)) {
    it(`${folder}/ holds no loose files, only its listed folders`, () => {
      const entries = readdirSync(join(root, folder), { withFileTypes: true });
      const loose = entries.filter((e) => !e.isDirectory()).map((e) => `${folder}/${e.name} (put it in the folder of its stage or concern)`);
      const unlisted = entries.filter((e) => e.isDirectory() && !Object.hasOwn(homes, e.name)).map((e) => `${folder}/${e.name}/ (a new home: list it, saying what it holds)`);
      const gone = Object.keys(homes).filter((name) => !entries.some((e) => e.isDirectory() && e.name === name)).map((name) => `${folder}/${name}/ is listed but missing`);
      expect([...loose, ...unlisted, ...gone], listed(`${folder}/`, [...loose, ...unlisted, ...gone])).toEqual([]);
    });
  }

  it('actions/ are thin: at most 50 lines each, the logic in pipeline/', () => {
    const long = readdirSync(join(root, 'actions'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f, readFileSync(join(root, 'actions', f), 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 50)
      .map(([f, lines]) => `actions/${f}: ${lines} lines`);
    expect(long, listed('long actions', long)).toEqual([]);
  });
});

describe("the job store's scripts", () => {
  it('name their key count in their file name, and their keys as locals in the order the typed key list gives', () => {
    const problems: string[] = [];
    for (const [name, script] of Object.entries(scripts)) {
      const count = /-(\d+)\.lua$/.exec(script.file)?.[1];
      if (Number(count) !== script.keys.length) problems.push(`${name}: ${script.file} names ${count} keys, its key list has ${script.keys.length}`);
      const source = readFileSync(join(root, 'pipeline/store/lua', script.file), 'utf8');
      for (const [, local, i] of source.matchAll(/^local (\w+)Key = KEYS\[(\d+)\]$/gm)) {
        if (script.keys[Number(i) - 1] !== local) problems.push(`${name}: KEYS[${i}] is ${script.keys[Number(i) - 1]}, named ${local}`);
      }
      const raw = source.split('\n').filter((line) => /KEYS\[/.test(line) && !/^local \w+Key = KEYS\[\d+\]$/.test(line) && !/KEYS\[i\]/.test(line));
      for (const line of raw) problems.push(`${name}: a raw key in its body: ${line.trim()}`);
    }
    const files = readdirSync(join(root, 'pipeline/store/lua')).filter((f) => f.endsWith('.lua'));
    const used = new Set(Object.values(scripts).map((s) => s.file));
    for (const f of files) if (!used.has(f)) problems.push(`lua/${f} is no script of the store`);
    expect(problems, listed('scripts', problems)).toEqual([]);
  });
});
