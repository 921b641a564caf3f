#!/usr/bin/env node
// The `supercompute` command: the compiled CLI (build/cli/, `npm run build`) when it is newer than every source it
// was built from, else the TypeScript through tsx's loader. `bench` always runs from source: it loads the
// benchmarks, which are TypeScript.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function compiledIsCurrent() {
  try {
    const built = statSync(`${root}build/cli/main.js`).mtimeMs;
    const sources = JSON.parse(readFileSync(`${root}build/cli/sources.json`, 'utf8'));
    return sources.every((file) => statSync(`${root}${file}`).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (process.argv[2] !== 'bench' && compiledIsCurrent()) {
  await import('../build/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
