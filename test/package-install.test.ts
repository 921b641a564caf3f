// The package as a user installs it: `npm pack`, the tarball installed into an empty project, imported from plain
// Node 20 and type-checked by a strict tsconfig that checks every declaration file (skipLibCheck: false).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildLibraryTypes } from '../scripts/build-library.ts';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as { packages: Record<string, { version: string }> };
const typesNode = `@types/node@${lock.packages['node_modules/@types/node'].version}`;
const tsc = createRequire(join(process.cwd(), 'package.json')).resolve('typescript/bin/tsc');

const USER_CODE = `import { Supercompute, defineKernel, type Job } from 'supercompute';
const sc: Supercompute = new Supercompute({ apihost: 'http://127.0.0.1:9', auth: 'a:b' });
export const squares = defineKernel({
  name: 'squares', description: 'sum of squares', params: { n: 'the bound' },
  parse: (raw) => ({ n: Number(raw.n) }),
  split: (_p, tasks) => tasks,
  work: (p, t) => p.n * t.index,
  reduce: (_p, partials) => partials.reduce((a, b) => a + b, 0),
});
export async function done(): Promise<number> {
  const job: Job = await sc.run('pi', { samples: 1 });
  return (await job.status()).done;
}
`;

let work: string;
let project: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'supercompute-pack-'));
  project = join(work, 'project');
  // `npm pack` builds through `prepare`; here the suite's own build is current, so only the declarations (which the
  // suite's set-up does not write) are built, and the pack does not rebuild under the feet of other test files.
  await buildLibraryTypes();
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', work], { maxBuffer: 64 * 1024 * 1024 });
  const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'))!;
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball), typesNode], { cwd: project, maxBuffer: 64 * 1024 * 1024 });
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed package, installed into an empty project', () => {
  it('imports from plain Node 20, without a TypeScript loader', async () => {
    const script = "const m = await import('supercompute'); console.log(JSON.stringify(Object.keys(m).sort()));";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(JSON.parse(stdout)).toEqual(expect.arrayContaining(['Supercompute', 'defineKernel', 'JobFailedError']));
  });

  it('type-checks a strict .ts file against its declarations, with skipLibCheck false', async () => {
    await writeFile(join(project, 'main.ts'), USER_CODE);
    const tsconfig = { compilerOptions: { strict: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] }, files: ['main.ts'] };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    const result = await run(process.execPath, [tsc, '-p', project], { cwd: project }).then(
      () => ({ code: 0, out: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
    );
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });

  it("installs the nodejs:20 image's modules its platform gives actions (postinstall)", () => {
    const image = join(project, 'node_modules', 'supercompute', 'platform', 'runtime', 'image', 'node_modules');
    expect(JSON.parse(readFileSync(join(image, 'openwhisk', 'package.json'), 'utf8'))).toMatchObject({ version: '3.21.8' });
    expect(JSON.parse(readFileSync(join(image, 'express', 'package.json'), 'utf8'))).toMatchObject({ version: '4.20.0' });
  });

  it('runs its command from the installed files', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const { stdout } = await run(process.execPath, [join(project, 'node_modules', 'supercompute', 'cli', 'bin.mjs'), '--version'], { cwd: project });
    expect(stdout.trim()).toBe(version);
  });
});
