// One container: a child process running the action proxy on a loopback port, an HTTP client to it
// that keeps its connections open, and the collection of its stdout/stderr into per-activation logs.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { nestsDeeperThan, tooDeep } from '../json-depth.ts';
import { argumentsJson } from './overflow-json.ts';
import { sandboxFlags } from './sandbox.ts';
import { watchMemory } from './memory-watch.ts';
import { imageModulesDir } from '../runtime/options.ts';

export const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
/** How long logs may trail a response before the container's log stream is deemed out of step. */
const SENTINEL_GRACE_MS = 2_000;
const START_TIMEOUT_MS = 30_000;
/** What V8 writes to stderr as it aborts the process at its heap cap (`--max-old-space-size`). */
const V8_HEAP_EXHAUSTED = 'JavaScript heap out of memory';
const STDERR_TAIL_CHARS = 1_000;

export interface ContainerOptions {
  id: string;
  runtimePath: string;
  apiHost: string;
  concurrency: number;
  /** The action's memory limit, MB: its JavaScript heap is capped there, and the process is killed past it. */
  memoryMB: number;
  /** The action's log limit, MB; 0 collects nothing. */
  logLimitMB: number;
  env?: Record<string, string>;
}

/** What came back from one /init or /run exchange. */
export type Exchange =
  | { kind: 'response'; statusCode: number; body: unknown; text: string }
  | { kind: 'timeout' }
  | { kind: 'exited'; reason: string };

type Stream = 'stdout' | 'stderr';
interface Line {
  seq: number;
  time: number;
  stream: Stream;
  text: string;
}

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of liveDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** Splits a container's output into activation segments at the sentinel lines. */
class LogCollector {
  private seq = 0;
  private partial: Record<Stream, string> = { stdout: '', stderr: '' };
  private current: Record<Stream, Line[]> = { stdout: [], stderr: [] };
  private bytes: Record<Stream, number> = { stdout: 0, stderr: 0 };
  private dropped: Record<Stream, boolean> = { stdout: false, stderr: false };
  private done: Record<Stream, { lines: Line[]; dropped: boolean }[]> = { stdout: [], stderr: [] };
  private waiters: { resolve: (lines: string[]) => void; timer: NodeJS.Timeout }[] = [];
  private closed = false;
  /** Set when a segment had to be given out without its sentinels: later segments may be misattributed. */
  outOfStep = false;

  constructor(private readonly limitBytes: number) {}

  feed(stream: Stream, chunk: string): void {
    const text = this.partial[stream] + chunk;
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() as string;
    const time = Date.now();
    for (const part of parts) this.line(stream, part, time);
    this.flush();
  }

  private line(stream: Stream, raw: string, time: number): void {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const end = text.endsWith(SENTINEL);
    if (end) text = text.slice(0, -SENTINEL.length);
    if (text.length > 0 || !end) {
      const size = Buffer.byteLength(text) + 1;
      if (this.bytes[stream] + size > this.limitBytes) this.dropped[stream] = true;
      else {
        this.bytes[stream] += size;
        this.current[stream].push({ seq: this.seq++, time, stream, text });
      }
    }
    if (end) this.cut(stream);
  }

  private cut(stream: Stream): void {
    if (this.limitBytes > 0) this.done[stream].push({ lines: this.current[stream], dropped: this.dropped[stream] });
    this.current[stream] = [];
    this.bytes[stream] = 0;
    this.dropped[stream] = false;
  }

  private flush(): void {
    while (this.waiters.length > 0 && this.done.stdout.length > 0 && this.done.stderr.length > 0) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      const a = this.done.stdout.shift()!;
      const b = this.done.stderr.shift()!;
      waiter.resolve(this.format([...a.lines, ...b.lines], a.dropped || b.dropped));
    }
  }

  /** The logs of the next finished activation, once both sentinels have arrived (or the process is gone). */
  next(): Promise<string[]> {
    if (this.limitBytes === 0) return Promise.resolve([]);
    if (this.closed) return Promise.resolve(this.rest());
    return new Promise((resolve) => {
      const giveUp = () => {
        if (!this.waiters.some((w) => w.timer === timer)) return;
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        this.outOfStep = true;
        const lines = this.rest();
        lines.push(formatLine(Date.now(), 'stderr', 'There was an issue while collecting your logs. Data might be missing.'));
        resolve(lines);
      };
      // Timers run before I/O polling: after a long stall, read what the pipes hold before giving up.
      const timer = setTimeout(() => setImmediate(giveUp), SENTINEL_GRACE_MS);
      timer.unref();
      this.waiters.push({ resolve, timer });
      this.flush();
    });
  }

  /** Everything not yet given out, e.g. after the process was killed. */
  rest(): string[] {
    const lines: Line[] = [];
    let dropped = false;
    for (const s of ['stdout', 'stderr'] as const) {
      for (const seg of this.done[s]) {
        lines.push(...seg.lines);
        dropped ||= seg.dropped;
      }
      lines.push(...this.current[s]);
      dropped ||= this.dropped[s];
      this.done[s] = [];
      this.current[s] = [];
      this.bytes[s] = 0;
      this.dropped[s] = false;
    }
    return this.limitBytes === 0 ? [] : this.format(lines, dropped);
  }

  close(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.partial[s]) this.line(s, this.partial[s], Date.now());
      this.partial[s] = '';
    }
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.resolve(this.rest());
    }
  }

  private format(lines: Line[], dropped: boolean): string[] {
    lines.sort((x, y) => x.seq - y.seq);
    const out: string[] = [];
    let total = 0;
    for (const l of lines) {
      total += Buffer.byteLength(l.text) + 1;
      if (total > this.limitBytes) {
        dropped = true;
        break;
      }
      out.push(formatLine(l.time, l.stream, l.text));
    }
    if (dropped) {
      out.push(
        formatLine(Date.now(), 'stderr', `Logs were truncated because the total bytes size exceeds the limit of ${this.limitBytes} bytes.`),
      );
    }
    return out;
  }
}

export function formatLine(time: number, stream: Stream, text: string): string {
  return `${new Date(time).toISOString()} ${stream}: ${text.trim()}`;
}

function readLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    stream.on('end', () => reject(new Error('the runtime exited before it was ready')));
    stream.on('error', reject);
  });
}

export class Container {
  readonly id: string;
  private readonly child: ChildProcess;
  private readonly logs: LogCollector;
  private readonly agent: http.Agent;
  private readonly closed: Promise<void>;
  private port = 0;
  private exitReason: string | undefined;
  private killed = false;
  private readonly dir: string;
  private outOfMemory = false;
  /** The end of stderr, where V8 says why it aborted. */
  private stderrTail = '';
  private saidHeapExhausted = false;

  private constructor(opts: ContainerOptions) {
    installExitHook();
    this.id = opts.id;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ow-container-'));
    liveDirs.add(this.dir);
    // The official image's modules, where an action's lookups end (a sandboxed runtime may not link them itself).
    const image = imageModulesDir(path.dirname(opts.runtimePath));
    if (image) fs.symlinkSync(image, path.join(this.dir, 'node_modules'), 'dir');
    this.logs = new LogCollector(Math.max(0, Math.floor(opts.logLimitMB * 1024 * 1024)));
    this.agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, opts.concurrency) });
    const inherited = ['PATH', 'HOME', 'LANG', 'TZ'].filter((k) => process.env[k] !== undefined);
    this.child = spawn(process.execPath, [...sandboxFlags(opts.runtimePath, this.dir, opts.memoryMB), opts.runtimePath], {
      cwd: this.dir,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: {
        ...Object.fromEntries(inherited.map((k) => [k, process.env[k] as string])),
        ...opts.env,
        TMPDIR: this.dir,
        __OW_API_HOST: opts.apiHost,
        __OW_ALLOW_CONCURRENT: opts.concurrency > 1 ? 'true' : 'false',
        __OW_PORT: '0',
        __OW_READY_FD: '3',
        __OW_EXIT_ON_STDIN_END: 'true',
      },
    });
    live.add(this.child);
    const stopWatching = watchMemory(this.child, opts.memoryMB, () => {
      this.outOfMemory = true;
      void this.kill();
    });
    this.closed = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        stopWatching();
        if (signal === 'SIGABRT' && this.saidHeapExhausted) this.outOfMemory = true;
        this.exitReason ??= signal ? `killed by ${signal}` : `exit code ${code}`;
        live.delete(this.child);
        this.logs.close();
        this.agent.destroy();
        fs.rm(this.dir, { recursive: true, force: true }, () => {
          liveDirs.delete(this.dir);
          resolve();
        });
      });
    });
    this.child.on('error', (err) => {
      this.exitReason ??= `the runtime could not be started: ${err.message}`;
    });
    this.child.stdin?.on('error', () => {});
    for (const s of ['stdout', 'stderr'] as const) {
      const stream = this.child[s]!;
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        this.logs.feed(s, chunk);
        if (s !== 'stderr') return;
        // V8's message comes before its stack trace, which can push it out of the tail: it is remembered on its own.
        this.saidHeapExhausted ||= (this.stderrTail.slice(-V8_HEAP_EXHAUSTED.length) + chunk).includes(V8_HEAP_EXHAUSTED);
        this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      });
      stream.on('error', () => {});
    }
  }

  /** Spawns the runtime and resolves once it listens. */
  static async start(opts: ContainerOptions): Promise<Container> {
    const c = new Container(opts);
    const control = c.child.stdio[3] as Readable;
    let timer: NodeJS.Timeout | undefined;
    try {
      const line = await Promise.race([
        readLine(control),
        c.closed.then(() => {
          throw new Error(c.exitReason ?? 'the runtime exited before it was ready');
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the runtime did not start in time')), START_TIMEOUT_MS);
        }),
      ]);
      c.port = Number(line);
      control.resume();
      return c;
    } catch (err) {
      await c.kill();
      // The runtime's last words on stderr say why (a permission it lacks, a missing file): the operator needs them.
      const said = c.stderrTail.split('\n').filter((l) => /^\w*Error\b|^\s*resource:/.test(l)).map((l) => l.trim()).join(', ');
      throw said ? new Error(`${(err as Error).message}: ${said}`) : err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** An idle container should not keep the platform process alive on its own; a busy one should. */
  hold(busy: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as ({ ref(): void; unref(): void } | null)[];
    for (const h of handles) {
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.killed && this.exitReason === undefined;
  }

  /** True once the process went past its memory limit (and was killed for it, or aborted by V8's heap cap). */
  get memoryExhausted(): boolean {
    return this.outOfMemory;
  }

  /** True when a log segment had to be handed out without its sentinel; the container should be retired. */
  get logsOutOfStep(): boolean {
    return this.logs.outOfStep;
  }

  /** Resolves when the process is gone. */
  get exited(): Promise<void> {
    return this.closed;
  }

  init(value: Record<string, unknown>, timeoutMs: number): Promise<Exchange> {
    return this.post('/init', { value }, timeoutMs);
  }

  run(message: Record<string, unknown>, timeoutMs: number): Promise<Exchange> {
    return this.post('/run', message, timeoutMs);
  }

  /** The logs of the activation that just answered: everything up to its sentinels. */
  nextLogs(): Promise<string[]> {
    return this.logs.next();
  }

  /** Kills the process (if still alive) and returns every log line not yet handed out. */
  async killAndDrain(): Promise<string[]> {
    await this.kill();
    return this.logs.rest();
  }

  kill(): Promise<void> {
    this.killed = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.closed;
  }

  private post(route: string, payload: unknown, timeoutMs: number): Promise<Exchange> {
    if (!this.alive) return Promise.resolve({ kind: 'exited', reason: this.exitReason ?? 'killed' });
    const body = argumentsJson(payload);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (ex: Exchange) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(ex);
      };
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        req.destroy();
        this.kill().then(() => resolve({ kind: 'timeout' }));
      }, timeoutMs);
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path: route,
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            // A result nested past the bound is the action's error: nothing after this point need walk it.
            if (nestsDeeperThan(text)) {
              finish({ kind: 'response', statusCode: 502, body: { error: `The action produced a result ${tooDeep}.` }, text: '' });
              return;
            }
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            finish({ kind: 'response', statusCode: res.statusCode ?? 0, body: parsed, text });
          });
          res.on('error', (err) => this.failed(err, finish));
        },
      );
      req.on('error', (err) => this.failed(err, finish));
      req.end(body);
    });
  }

  /** A broken exchange means the process died (or is unusable): make sure it is gone, then report. */
  private failed(err: Error, finish: (ex: Exchange) => void): void {
    this.kill().then(() => finish({ kind: 'exited', reason: this.exitReason ?? err.message }));
  }
}
