// The watchdog thread's script (pipeline/watchdog/thread.ts), bundled with everything it imports into one CommonJS
// text that a kernel action starts with `new Worker(source, { eval: true })`: the action itself is one evaluated file,
// with no file of its own to point a thread at. Imported as `supercompute:watchdog-thread` by the build's bundler and
// by vitest.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { luaScripts } from './lua-source.ts';

export const WATCHDOG_THREAD = 'supercompute:watchdog-thread';
const entry = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pipeline', 'watchdog', 'thread.ts');

let cached: Promise<string> | undefined;

export function watchdogThreadSource(): Promise<string> {
  cached ??= build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    write: false,
    logLevel: 'silent',
    plugins: [luaScripts],
  }).then((out) => out.outputFiles[0]!.text);
  return cached;
}
