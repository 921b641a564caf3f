// The esbuild options every action bundle is built with (pipeline actions and kernel actions alike): one CommonJS
// file for nodejs:20 with every dependency inside, the job store's Lua scripts imported as text.
import type { BuildOptions, Plugin } from 'esbuild';
import { luaScripts } from './lua-source.ts';
import { WATCHDOG_THREAD, watchdogThreadSource } from './thread-source.ts';

export { luaScripts };

/** The kernel actions' watchdog thread (pipeline/watchdog/), imported as its bundled script's text. */
export const watchdogThread: Plugin = {
  name: 'watchdog-thread',
  setup(b) {
    b.onResolve({ filter: /^supercompute:watchdog-thread$/ }, () => ({ path: WATCHDOG_THREAD, namespace: 'watchdog-thread' }));
    b.onLoad({ filter: /.*/, namespace: 'watchdog-thread' }, async () => ({ contents: await watchdogThreadSource(), loader: 'text' }));
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
