// The Node.js action proxy: one per container process, speaking the OpenWhisk runtime protocol
// (POST /init, POST /run) the way apache/openwhisk-runtime-nodejs does.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';
import Module, { createRequire } from 'node:module';

export const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

type Handler = (params: unknown) => unknown;
type Reply = { status: number; body: unknown };

interface InitMessage {
  name?: string;
  main?: unknown;
  code?: unknown;
  binary?: boolean;
  env?: Record<string, unknown>;
}

const concurrent = process.env.__OW_ALLOW_CONCURRENT === 'true';
let handler: Handler | undefined;
let status: 'ready' | 'starting' | 'running' | 'stopped' = 'ready';

function writeMarkers(): void {
  process.stdout.write(SENTINEL + '\n');
  process.stderr.write(SENTINEL + '\n');
}

function error(status: number, message: string): Reply {
  return { status, body: { error: message } };
}

/** Makes the packages next to the runtime resolvable from zipped actions extracted elsewhere. */
function exposeRuntimePackages(): void {
  const own = require.resolve.paths('openwhisk') ?? [];
  const existing = (process.env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean);
  const all = [...existing, ...own.filter((p) => !existing.includes(p) && fs.existsSync(p))];
  process.env.NODE_PATH = all.join(path.delimiter);
  (Module as unknown as { _initPaths(): void })._initPaths();
}

function assertFunction(fn: unknown, name: string): Handler {
  if (typeof fn !== 'function') throw `Action entrypoint '${name}' is not a function.`;
  return fn as Handler;
}

/** Plain code: `main` found as a global (or top-level declaration), else on module.exports/exports. */
function evalCode(code: string, main: string, name: string): Handler {
  const filename = path.join(process.cwd(), `${(name || 'action').replace(/[^\w.-]/g, '_')}.js`);
  const body =
    `${code}\n;try { return ${main}; } catch (e) {` +
    ` if (e && e.name === 'ReferenceError') { return module.exports.${main} || exports.${main}; } throw e; }`;
  const fn = vm.compileFunction(body, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = { exports: {} as Record<string, unknown> };
  const result = fn.call(mod.exports, mod.exports, createRequire(filename), mod, filename, path.dirname(filename));
  return assertFunction(result, main);
}

function untar(buf: Buffer, dir: string): void {
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (s: number, n: number) => header.subarray(s, s + n).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    name = path.normalize(name);
    if (name.startsWith('..') || path.isAbsolute(name)) continue;
    const target = path.join(dir, name);
    if (type === '5') fs.mkdirSync(target, { recursive: true });
    else if (type === '0' || type === '') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, data);
    }
  }
}

function extract(base64: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ow-action-'));
  if (base64.startsWith('UEsDB')) {
    // adm-zip is only needed by zipped actions; loading it lazily keeps cold starts short.
    const AdmZip = require('adm-zip') as typeof import('adm-zip');
    new AdmZip(Buffer.from(base64, 'base64')).extractAllTo(dir, true);
  } else if (base64.startsWith('H4sI')) {
    untar(zlib.gunzipSync(Buffer.from(base64, 'base64')), dir);
  } else {
    throw 'There was an error uncompressing the action archive. The file type is unsupported.';
  }
  return dir;
}

function loadBinary(code: string, main: string): Handler {
  const dir = extract(code);
  const m = main.match(/^([^.]+)$|^(.+)\.([^.]+)$/);
  if (!m) throw 'Name of main function is not valid.';
  const file = m[2];
  const fnName = (m[1] ?? m[3]) as string;
  process.chdir(dir);
  if (file === undefined && !fs.existsSync('package.json') && !fs.existsSync('index.js')) {
    throw 'Zipped actions must contain either package.json or index.js at the root.';
  }
  const exported = require(file === undefined ? dir : path.join(dir, file)) as Record<string, unknown>;
  return assertFunction(exported[fnName], main);
}

/** The error's stack, with V8's source excerpt for syntax errors moved after the message. */
function describe(e: unknown): string {
  if (!(e instanceof Error) || !e.stack) return String(e);
  const at = e.stack.indexOf(`${e.name}: `);
  if (at <= 0) return e.stack;
  const excerpt = e.stack.slice(0, at).trim();
  const [first, ...rest] = e.stack.slice(at).split('\n');
  return [first, excerpt, ...rest].join('\n');
}

async function init(body: { value?: InitMessage }): Promise<Reply> {
  if (handler !== undefined) return error(403, 'Cannot initialize the action more than once.');
  if (status !== 'ready') return error(403, `System not ready, status is ${status}.`);
  const msg = body.value ?? {};
  if (typeof msg.main !== 'string' || typeof msg.code !== 'string' || !msg.main || !msg.code) {
    return error(403, 'Missing main/no code to execute.');
  }
  status = 'starting';
  try {
    for (const [k, v] of Object.entries(msg.env ?? {})) {
      process.env[k] = typeof v === 'string' && v !== '' ? v : JSON.stringify(v);
    }
    handler = msg.binary ? loadBinary(msg.code, msg.main) : evalCode(msg.code, msg.main, msg.name ?? '');
    status = 'ready';
    return { status: 200, body: { OK: true } };
  } catch (e) {
    status = 'stopped';
    console.error('Error during initialization:', e);
    writeMarkers();
    return error(502, `Initialization has failed due to: ${describe(e)}`);
  }
}

function serialize(e: unknown): unknown {
  try {
    const mod = require('serialize-error') as { serializeError?: (e: unknown) => unknown } & ((e: unknown) => unknown);
    return (mod.serializeError ?? mod)(e);
  } catch {
    return e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : e;
  }
}

/** Calls main like the real runner: a throw rejects; a rejected promise becomes `{error}`. */
async function invoke(fn: Handler, args: unknown): Promise<unknown> {
  const result = fn(args);
  try {
    const resolved = await result;
    return resolved === undefined ? {} : resolved;
  } catch (e) {
    return { error: e ? serialize(e) : {} };
  }
}

async function run(body: Record<string, unknown>): Promise<Reply> {
  if (handler === undefined || (status !== 'ready' && !(concurrent && status === 'running'))) {
    return error(403, `System not ready, status is ${status}.`);
  }
  if (!concurrent) status = 'running';
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'value' && typeof v === 'string') process.env[`__OW_${k.toUpperCase()}`] = v;
  }
  try {
    const result = await invoke(handler, body.value ?? {});
    if (typeof result !== 'object' || result === null) {
      console.error(`Result must be of type object but has type "${typeof result}":`, result);
    }
    writeMarkers();
    if (!concurrent) status = 'ready';
    if (typeof result !== 'object' || result === null) return error(502, 'The action did not return a dictionary.');
    return { status: 200, body: result };
  } catch (e) {
    console.error(e);
    writeMarkers();
    status = 'stopped';
    return error(502, `An error has occurred: ${e}`);
  }
}

function respond(res: http.ServerResponse, reply: Reply): void {
  let code = reply.status;
  let text: string;
  try {
    text = JSON.stringify(reply.body) ?? '{}';
  } catch (e) {
    code = 502;
    text = JSON.stringify({ error: `The action did not return a valid JSON result: ${e}` });
  }
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: Record<string, unknown>;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      respond(res, error(400, 'The request body is not valid JSON.'));
      return;
    }
    const route = req.method === 'POST' && req.url === '/init' ? init : req.method === 'POST' && req.url === '/run' ? run : null;
    if (!route) {
      respond(res, error(404, 'Not found.'));
      return;
    }
    route(body as never).then(
      (reply) => respond(res, reply),
      (e) => respond(res, error(502, `An error has occurred: ${e}`)),
    );
  });
}

function portFromArgs(): number {
  const i = process.argv.indexOf('--port');
  const raw = i >= 0 ? process.argv[i + 1] : (process.env.__OW_PORT ?? process.env.PORT);
  const port = raw === undefined ? 8080 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${raw}`);
  return port;
}

function main(): void {
  exposeRuntimePackages();
  const server = http.createServer(handle);
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  const host = process.env.__OW_HOST ?? '127.0.0.1';
  server.listen(portFromArgs(), host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // A launcher that asked for port 0 learns the real port on a pipe of its own, keeping stdout for logs.
    const fd = process.env.__OW_READY_FD;
    if (fd) {
      fs.writeSync(Number(fd), `${port}\n`);
      fs.closeSync(Number(fd));
    }
  });
  // The launcher holds our stdin open; when it goes away, even killed, so do we.
  if (process.env.__OW_EXIT_ON_STDIN_END === 'true') {
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
  }
}

main();
