// Lua scripts of the job store (pipeline/store/lua/) as the text Redis runs: each `-- @include "FILE"` line is
// replaced by that file (relative to the including one), once per script. Used by the build's bundler and by vitest.
import type { Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const INCLUDE = /^--\s*@include\s+"([^"]+)"\s*$/gm;

export function luaSource(file: string, seen: Set<string> = new Set()): string {
  const text = readFileSync(file, 'utf8');
  return text.replace(INCLUDE, (_line, name: string) => {
    const path = resolve(dirname(file), name);
    if (seen.has(path)) return '';
    seen.add(path);
    return luaSource(path, seen).trimEnd();
  });
}

/** `import source from './x.lua'` as an ES module exporting the expanded source. */
export function luaModule(file: string): string {
  return `export default ${JSON.stringify(luaSource(file))};\n`;
}

/** The job store's Lua scripts, imported as text with their includes expanded (esbuild). */
export const luaScripts: Plugin = {
  name: 'lua',
  setup(b) {
    b.onLoad({ filter: /\.lua$/ }, (args) => ({ contents: luaSource(args.path), loader: 'text' }));
  },
};
