// The package from a plain Node program, no TypeScript loader: the README's example imports 'supercompute' (the
// compiled build/lib, through package.json's `exports`), starts everything on this machine and runs its jobs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { redisUrlOnDb } from './helpers/pipeline-env.ts';

const DB = 7;

describe('the package from plain Node', () => {
  it('runs examples/map-inputs.mjs', async () => {
    const child = spawn(process.execPath, ['examples/map-inputs.mjs'], { env: { ...process.env, REDIS_URL: redisUrlOnDb(DB).url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ inputs: 1000, first: [0, 1, 4, 9, 16], last: 998_001, sumOfRests: 2997 });
  });
});
