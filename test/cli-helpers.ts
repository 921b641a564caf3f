// Running the CLI as a child process in tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliSync(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['cli/bin.mjs', ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

export interface RunningPlatform {
  child: ChildProcess;
  url: string;
  auth: string;
  namespace: string;
  redisUrl?: string;
  stderr(): string;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
}

/** `supercompute platform --port 0 --json ...` (with `env` over this process's), resolved once it prints its connection details. */
export async function startPlatformProcess(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningPlatform> {
  const child = spawn(process.execPath, ['cli/bin.mjs', 'platform', '--port', '0', '--json', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then(([code]) => {
      throw new Error(`platform exited with ${code} before it was ready:\n${stderr}`);
    }),
  ]);
  const info = JSON.parse(first) as { url: string; auth: string; namespace: string; redisUrl?: string };
  return {
    child,
    ...info,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
