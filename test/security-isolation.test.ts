// What a job's code can reach from inside its container, through the real platform and real jobs: a `map` function
// that escapes its vm context to Node's `process`, and a deployed user kernel that needs no trick, both try to read the
// platform process's environment, /etc/shadow, the repository's source, ~/.wskprops and the other containers' /proc
// entries. Node's permission model refuses every read (ERR_ACCESS_DENIED, not a missing file); the container's own
// directory stays writable and readable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { cli } from './cli-helpers.ts';
import { childPids as containerPids } from './helpers/child-pids.ts';

const DB = 15;
const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
let env: PipelineEnv;

beforeAll(async () => {
  env = await startPipeline({ db: DB });
  // A first job leaves the pipeline's containers warm: the siblings the jobs under test try to read.
  const { body } = await env.submit({ kernel: 'sleep', params: { ms: 0 }, tasks: 2 });
  expect((await env.waitForJob(body.jobId)).state).toBe('done');
});
afterAll(async () => {
  await env?.stop();
});


/** The files no container may read: the platform's environment, the machine's secrets, the repository, the CLI's key. */
function forbiddenPaths(): string[] {
  const siblings = containerPids();
  expect(siblings.length, 'the pipeline keeps containers warm').toBeGreaterThan(0);
  return [
    `/proc/${process.pid}/environ`,
    '/etc/shadow',
    path.join(repoRoot, 'platform/config.ts'),
    path.join(os.homedir(), '.wskprops'),
    ...siblings.flatMap((pid) => [`/proc/${pid}/environ`, `/proc/${pid}/cmdline`]),
  ];
}

// Reaches Node's `process` through the host realm's Function constructor (the console is the host's), then its `fs`.
const escapingMapFunction = `(target) => {
  const proc = console.log.constructor('return process')();
  const fs = proc.mainModule.require('fs');
  try {
    if (target === 'parent') return 'read: ' + fs.readFileSync('/proc/' + proc.ppid + '/environ', 'utf8');
    if (target === 'child') return 'ran: ' + proc.mainModule.require('child_process').execSync('cat /proc/' + proc.ppid + '/environ');
    if (target === 'own-dir') {
      const file = proc.env.TMPDIR + '/scratch';
      fs.writeFileSync(file, 'mine');
      return 'read: ' + fs.readFileSync(file, 'utf8');
    }
    return 'read: ' + fs.readFileSync(target, 'utf8');
  } catch (e) {
    return e.code || String(e);
  }
}`;

describe('a job cannot read the platform or the other containers', () => {
  it("through a map function that escapes to Node's process", async () => {
    const paths = forbiddenPaths();
    const inputs = ['parent', 'child', 'own-dir', ...paths];
    const { status, body } = await env.submit({ kernel: 'map', params: { source: escapingMapFunction, inputs }, tasks: 2 });
    expect(status, JSON.stringify(body)).toBe(200);
    const done = await env.waitForJob(body.jobId);
    expect(done.state, JSON.stringify(done).slice(0, 500)).toBe('done');
    const outcomes = Object.fromEntries(inputs.map((input, i) => [input, (done.result as string[])[i]]));
    expect(outcomes).toEqual({
      ...Object.fromEntries(inputs.map((input) => [input, 'ERR_ACCESS_DENIED'])),
      'own-dir': 'read: mine',
    });
  });

  it('through a deployed user kernel reading the files directly', async () => {
    const deployed = await cli(['kernel', 'deploy', 'test/fixtures/kernels/snoop.ts', '--apihost', env.platform.url, '--auth', env.platform.auth]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const paths = forbiddenPaths();
    const { status, body } = await env.submit({ kernel: 'snoop', params: { paths }, tasks: 1 });
    expect(status, JSON.stringify(body)).toBe(200);
    const done = await env.waitForJob(body.jobId);
    expect(done.state, JSON.stringify(done).slice(0, 500)).toBe('done');
    expect(done.result).toEqual(Object.fromEntries(['parentEnviron', ...paths].map((p) => [p, 'ERR_ACCESS_DENIED'])));
  });
});
