// `npm run bench` writes its reports where a run never changes tracked files; `--publish` refreshes the published ones.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cli } from './cli-helpers.ts';

describe('bench reports', () => {
  it('go to build/bench-results/, leaving the published bench/results/ as they are', async () => {
    const published = 'bench/results/model.md';
    const before = { text: readFileSync(published, 'utf8'), mtime: statSync(published).mtimeMs };
    const r = await cli(['bench', 'model', '--quick']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('reports in build/bench-results/model.{md,json}');
    expect(existsSync('build/bench-results/model.json')).toBe(true);
    expect(readFileSync('build/bench-results/model.md', 'utf8')).toMatch(/^#/m);
    expect({ text: readFileSync(published, 'utf8'), mtime: statSync(published).mtimeMs }).toEqual(before);
  });
});
