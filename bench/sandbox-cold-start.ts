// What confining a container costs per cold start: the action runtime spawned N times bare, under Node's permission
// model (the flags the invoker uses), and inside bubblewrap (when `bwrap` is installed), timed from spawn to /init
// answered. Run: npx tsx bench/sandbox-cold-start.ts [N]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxFlags } from '../platform/invoker/sandbox.ts';
import { median } from './stats.ts';

const runtimePath = fileURLToPath(new URL('../build/runtime/proxy.cjs', import.meta.url));
const INIT = JSON.stringify({ value: { name: 'a', main: 'main', code: 'function main() { return {}; }' } });

type Launcher = (dir: string) => { command: string; args: string[] };

const launchers: Record<string, Launcher> = {
  bare: () => ({ command: process.execPath, args: [runtimePath] }),
  'node permission model': (dir) => ({ command: process.execPath, args: [...sandboxFlags(runtimePath, dir, 256), runtimePath] }),
};

if (spawnSync('bwrap', ['--version']).status === 0) {
  // Read-only system and repository, a private /tmp and /proc, its own PID namespace: what an OS sandbox would use.
  const repo = path.dirname(path.dirname(path.dirname(runtimePath)));
  const modules = fs.realpathSync(path.join(repo, 'node_modules'));
  launchers.bubblewrap = (dir) => ({
    command: 'bwrap',
    args: [
      ...['--ro-bind', '/usr', '/usr', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/bin', '/bin'],
      ...['--ro-bind', path.dirname(runtimePath), path.dirname(runtimePath), '--ro-bind', modules, modules, '--ro-bind', modules, path.join(repo, 'node_modules')],
      ...['--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', dir, dir, '--unshare-pid', '--unshare-user', '--die-with-parent'],
      ...[process.execPath, runtimePath],
    ],
  });
}

/** Ms from spawn to the runtime's answer to /init. */
async function coldStart(launcher: Launcher): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ow-bench-'));
  const started = performance.now();
  const { command, args } = launcher(dir);
  const child = spawn(command, args, {
    cwd: dir,
    stdio: ['pipe', 'ignore', 'inherit', 'pipe'],
    env: { PATH: process.env.PATH ?? '', TMPDIR: dir, __OW_PORT: '0', __OW_READY_FD: '3', __OW_EXIT_ON_STDIN_END: 'true' },
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdio[3]!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`the runtime exited (${code})`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/init`, { method: 'POST', body: INIT, headers: { 'content-type': 'application/json' } });
    if (!res.ok) throw new Error(`/init answered ${res.status}: ${await res.text()}`);
    return performance.now() - started;
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const n = Number(process.argv[2] ?? 30);
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(launchers).map((k) => [k, []]));
// Interleaved, so that a busy moment on the machine falls on every variant alike.
for (let i = 0; i < n; i++) for (const [name, launcher] of Object.entries(launchers)) samples[name]!.push(await coldStart(launcher));
for (const [name, ms] of Object.entries(samples)) console.log(`${name.padEnd(22)} median ${median(ms).toFixed(1)} ms over ${ms.length} cold starts`);
