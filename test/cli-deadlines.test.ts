// Every command the CLI has ends when the API host does not answer: one that accepts connections and stays silent, a
// Redis that stops answering the actions, a platform restarted (its `status` action gone) or stopped while a job runs.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { cli, startPlatformProcess, type CliResult, type RunningPlatform } from './cli-helpers.ts';
import { findOnPath, startRedisServer, type RedisHandle } from '../host/local/redis-server.ts';

/** A TCP server that accepts every connection and never writes a byte. */
async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `run` as a child process, resolved with its job id once it has printed it, and with its result once it ends. */
function startRun(args: string[]): { jobId: Promise<string>; result: Promise<CliResult> } {
  const child = spawn(process.execPath, ['cli/bin.mjs', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const closed = once(child, 'close');
  const lines = createInterface({ input: child.stderr });
  const jobId = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      stderr += `${line}\n`;
      const m = /^job (\S+): /.exec(line);
      if (m) resolve(m[1]!);
    });
    void closed.then(() => reject(new Error(`run ended before it printed a job id:\n${stderr}`)));
  });
  const result = closed.then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { jobId, result };
}

describe('a silent API host', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.close();
  });

  it('ends every command with exit code 3 and a message naming the host', async () => {
    const commands = [
      ['run', 'sleep', '--tasks', '2', '--workers', '0', '--wait-timeout', '3', '--no-check-redis'],
      ['run', 'sleep', '--tasks', '2', '--workers', '0', '--stall-timeout', '3'],
      ['status', 'some-job', '--wait-timeout', '3'],
      ['cancel', 'some-job'],
      ['plot', 'some-job'],
      ['kernel', 'list'],
      ['kernel', 'remove', 'some-kernel'],
      ['deploy'],
    ];
    const results = await Promise.all(commands.map((args) => cli([...args, '--apihost', silent.url])));
    results.forEach((r, i) => {
      const command = commands[i]!.join(' ');
      expect(r.code, `${command}: ${r.stderr}`).toBe(3);
      expect(r.stderr, command).toContain(silent.url);
    });
    // --wait-timeout bounds the whole command, its planning too, not only the wait for the job.
    expect(results[0]!.stderr).toMatch(/no answer from the API host \S+ in time \(--wait-timeout 3 s: planning the job\)/);
    expect(results[3]!.stderr).toMatch(/no answer from the API host \S+ within \d+ s \(POST \/api\/v1\/namespaces\/_\/actions\/supercompute\)/);
  });
});

describe('a job while the API host or Redis goes away', () => {
  const redisServer = findOnPath('redis-server');
  if (!redisServer) throw new Error('these tests need redis-server on PATH (Debian package redis-server)');
  let redis: RedisHandle;
  let platform: RunningPlatform;
  beforeAll(async () => {
    redis = await startRedisServer(redisServer);
    platform = await startPlatformProcess(['--deploy'], { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    if (redis?.pid) process.kill(redis.pid, 'SIGCONT');
    await platform?.stop();
    await redis?.stop();
  });

  it('ends `run --wait-timeout` at its bound, the submit included, while Redis is stopped (SIGSTOP)', async () => {
    process.kill(redis.pid!, 'SIGSTOP');
    try {
      const r = await cli(['run', 'sleep', '--param', 'ms=0', '--tasks', '2', '--workers', '0', '--wait-timeout', '5', '--no-check-redis', '--no-progress', '--apihost', platform.url]);
      expect(r.code, r.stderr).toBe(3);
      // The command's bound and the submit request's own deadline end together; whichever timer fires first, the
      // message names the host and the submit.
      expect(r.stderr).toMatch(/no answer from the API host \S+ (in time \(--wait-timeout 5 s: submitting the job, which may have started\)|within \d+ s \(POST \/api\/v1\/namespaces\/_\/actions\/supercompute\))/);
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
  });

  it('reads a `status` action missing (a platform restarted before its redeploy) as status unreadable, not as the job failing', async () => {
    const run = startRun(['sleep', '--param', 'ms=60000', '--tasks', '2', '--workers', '0', '--wait-timeout', '20', '--no-progress', '--apihost', platform.url]);
    await run.jobId;
    const res = await fetch(`${platform.url}/api/v1/namespaces/_/actions/status`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from(platform.auth).toString('base64')}` },
    });
    expect(res.status).toBe(200);
    const r = await run.result;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/could not read the status of job \S+ \(\d+ polls failed in a row, then the wait timed out\): action status is not deployed here/);
    expect(r.stderr).not.toMatch(/failed after/);
  });

  it('reads a platform that went away (connection refused) as status unreadable, not as the job failing', async () => {
    const run = startRun(['sleep', '--param', 'ms=60000', '--tasks', '2', '--workers', '0', '--wait-timeout', '20', '--no-progress', '--apihost', platform.url]);
    await run.jobId;
    await platform.stop();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/could not read the status of job \S+ \(\d+ polls failed in a row, then the wait timed out\): .*ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/failed after/);
  });
});
