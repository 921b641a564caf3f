// The import graph of the repository's own sources, read with TypeScript's pre-processor: static `import`,
// `export … from`, `import(…)` (type positions included) and `require(…)`, type-only imports counted like any other.
import ts from 'typescript';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

export type ImportTarget =
  /** A source file, as a path relative to the root with forward slashes. */
  | { kind: 'file'; path: string }
  /** A Node builtin, without its `node:` prefix. */
  | { kind: 'builtin'; name: string }
  /** An npm package by name (`@scope/name` or `name`), whatever subpath the specifier asks for. */
  | { kind: 'package'; name: string }
  /** A relative specifier that names no file. */
  | { kind: 'missing' };

export interface Import {
  specifier: string;
  target: ImportTarget;
}

/** Each source file (relative path) with what it imports, in source order. */
export type ImportGraph = Map<string, Import[]>;

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'];

/** Reads every source file under `folders` (relative to `root`) and resolves what each one imports. */
export function readImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const folder of folders) {
    for (const file of sourceFiles(join(root, folder))) {
      const text = readFileSync(file, 'utf8');
      const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
      const imports = specifiers.map((specifier) => ({ specifier, target: resolveSpecifier(root, file, specifier) }));
      graph.set(toRelative(root, file), imports);
    }
  }
  return graph;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') files.push(...sourceFiles(full));
    } else if (SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) {
      files.push(full);
    }
  }
  return files;
}

export function resolveSpecifier(root: string, importer: string, specifier: string): ImportTarget {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    // A bundler's query (`./client.ts?browser`: host/bundling/browser-bundle.ts) names the same file.
    const file = resolveFile(resolve(dirname(importer), specifier.replace(/\?[a-z]+$/, '')));
    return file ? { kind: 'file', path: toRelative(root, file) } : { kind: 'missing' };
  }
  if (isBuiltin(specifier)) return { kind: 'builtin', name: specifier.replace(/^node:/, '') };
  return { kind: 'package', name: packageName(specifier) };
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub/path` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

// The same candidates TypeScript's NodeNext resolution tries: the path itself, `.js` written for a `.ts` source,
// an extension left off, and a folder's index.
function resolveFile(path: string): string | undefined {
  const candidates = [
    path,
    path.replace(/\.js$/, '.ts'),
    path.replace(/\.mjs$/, '.mts'),
    path.replace(/\.cjs$/, '.cts'),
    ...SOURCE_EXTENSIONS.map((ext) => path + ext),
    ...SOURCE_EXTENSIONS.map((ext) => join(path, `index${ext}`)),
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function toRelative(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}
