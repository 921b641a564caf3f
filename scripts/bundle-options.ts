// The esbuild options every action bundle is built with (pipeline actions and kernel actions alike): one CommonJS
// file for nodejs:20 with every dependency inside, the job store's Lua scripts imported as text.
import type { BuildOptions, Plugin } from 'esbuild';
import { luaSource } from './lua-source.ts';

/** The job store's Lua scripts, imported as text with their includes expanded. */
export const luaScripts: Plugin = {
  name: 'lua',
  setup(b) {
    b.onLoad({ filter: /\.lua$/ }, (args) => ({ contents: luaSource(args.path), loader: 'text' }));
  },
};

export const actionBundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
} as const satisfies BuildOptions;
