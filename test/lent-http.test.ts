// The lent transport (pipeline/data/lent-http.ts) against real servers: Node's own HTTP and HTTPS servers, and raw
// sockets for the framings and failures a server of someone else's may send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { lentRequest, type LentRequest } from '../pipeline/data/lent-http.ts';
import { HttpResponseError } from '../pipeline/data/http1-response.ts';

const BODY = randomBytes(5 * 2 ** 20 + 17);
const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const TLS_DIR = join(import.meta.dirname, 'fixtures', 'tls');
const OPTIONS = { connectTimeoutMs: 5_000, idleTimeoutMs: 10_000 };

async function listening<S extends NetServer | Server>(server: S): Promise<{ server: S; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, target = '/', protocol: LentRequest['protocol'] = 'http:'): LentRequest {
  return { protocol, hostname: '127.0.0.1', port, method: 'GET', target, headers: {} };
}

/** Every lent view, copied as it is lent, and whether a view's bytes changed once the next was asked for. */
async function drain(body: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; views: number; reused: boolean }> {
  const copies: Buffer[] = [];
  let previous: { view: Uint8Array; copy: Buffer } | undefined;
  let reused = false;
  for await (const view of body) {
    if (previous && !Buffer.from(previous.view).equals(previous.copy)) reused = true;
    const copy = Buffer.from(view);
    copies.push(copy);
    previous = { view, copy };
  }
  return { bytes: Buffer.concat(copies), views: copies.length, reused };
}

/** A raw server: each connection's request heads are answered by `answer`, given the socket and the request count. */
async function rawServer(answer: (socket: Socket, request: number) => void): Promise<{ server: NetServer; port: number; connections: () => number }> {
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    let pending = '';
    let requests = 0;
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        answer(socket, ++requests);
      }
    });
    socket.on('error', () => undefined);
  });
  const { port } = await listening(server);
  return { server, port, connections: () => connections };
}

const servers: (NetServer | Server)[] = [];
afterAll(async () => {
  for (const server of servers) {
    (server as Server).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('the lent transport', () => {
  let http: { server: Server; port: number };
  let connections = 0;
  beforeAll(async () => {
    http = await listening(
      createHttpServer((req, res) => {
        if (req.url === '/chunked') {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          for (let at = 0; at < BODY.length; at += 1_000_003) res.write(BODY.subarray(at, at + 1_000_003));
          res.end();
        } else if (req.url === '/missing') {
          res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
        } else {
          res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
        }
      }),
    );
    http.server.on('connection', () => connections++);
    servers.push(http.server);
  });

  it('gives a Content-Length body as views of one reused buffer, then keeps the connection for the next request', async () => {
    const before = connections;
    const first = await lentRequest(get(http.port), OPTIONS);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-length']).toBe(String(BODY.length));
    const read = await drain(first.body.lend());
    expect(digest(read.bytes)).toBe(digest(BODY));
    expect(read.views).toBeGreaterThan(1);
    expect(read.reused).toBe(true);
    const second = await lentRequest(get(http.port), OPTIONS);
    expect(digest((await drain(second.body.lend())).bytes)).toBe(digest(BODY));
    expect(connections - before).toBe(1);
  });

  it('reads a chunked body, and the same body as a stream of copies', async () => {
    const lent = await lentRequest(get(http.port, '/chunked'), OPTIONS);
    expect(lent.headers['transfer-encoding']).toBe('chunked');
    expect(digest((await drain(lent.body.lend())).bytes)).toBe(digest(BODY));
    const streamed = await lentRequest(get(http.port, '/chunked'), OPTIONS);
    const chunks: Buffer[] = [];
    for await (const chunk of streamed.body) chunks.push(chunk as Buffer);
    expect(digest(Buffer.concat(chunks))).toBe(digest(BODY));
  });

  it('gives an error answer whole, readable as a stream', async () => {
    const answer = await lentRequest(get(http.port, '/missing'), OPTIONS);
    expect(answer.statusCode).toBe(404);
    let text = '';
    for await (const chunk of answer.body) text += String(chunk);
    expect(text).toContain('NoSuchKey');
  });

  it('closes a connection whose body was left unread, and opens another for the next request', async () => {
    const answer = await lentRequest(get(http.port), OPTIONS);
    const before = connections;
    for await (const _ of answer.body.lend()) break;
    const next = await lentRequest(get(http.port), OPTIONS);
    expect(digest((await drain(next.body.lend())).bytes)).toBe(digest(BODY));
    expect(connections - before).toBe(1);
  });

  it('reads over TLS, pausing and resuming through a large body', async () => {
    const https = await listening(
      createHttpsServer({ key: readFileSync(join(TLS_DIR, 'key.pem')), cert: readFileSync(join(TLS_DIR, 'cert.pem')) }, (_req, res) => {
        res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
      }),
    );
    servers.push(https.server);
    const localhost = { ...get(https.port, '/', 'https:'), hostname: 'localhost' };
    const answer = await lentRequest(localhost, { ...OPTIONS, ca: readFileSync(join(TLS_DIR, 'cert.pem')) });
    const read = await drain(answer.body.lend());
    expect(digest(read.bytes)).toBe(digest(BODY));
    expect(read.reused).toBe(true);
    // Without the certificate trusted, the connection is refused: the one kept from the request that trusted it is not
    // taken for the same origin.
    await expect(lentRequest(localhost, OPTIONS)).rejects.toThrow(/self-signed|certificate/i);
  });
});

describe('framings and failures of a raw server', () => {
  it('chunk extensions and trailers, and an interim 103 answer before the final one', async () => {
    const raw = await rawServer((socket) => {
      socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n');
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n');
      socket.write('6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n');
    });
    servers.push(raw.server);
    for (let i = 0; i < 2; i++) {
      const answer = await lentRequest(get(raw.port), OPTIONS);
      expect(answer.statusCode).toBe(200);
      expect((await drain(answer.body.lend())).bytes.toString()).toBe('hello world');
    }
    expect(raw.connections()).toBe(1);
  });

  it('a body that runs to the close is read whole and its connection not kept', async () => {
    const raw = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'));
    servers.push(raw.server);
    const answer = await lentRequest(get(raw.port), OPTIONS);
    expect((await drain(answer.body.lend())).bytes.toString()).toBe('until the end');
    const again = await lentRequest(get(raw.port), OPTIONS);
    expect((await drain(again.body.lend())).bytes.toString()).toBe('until the end');
    expect(raw.connections()).toBe(2);
  });

  it('a kept connection the server dropped unseen is replaced once, before any answer was read', async () => {
    // The second request on a connection is met by its close: the client sends it again on a new connection.
    const raw = await rawServer((socket, request) => {
      if (request === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.destroy();
    });
    servers.push(raw.server);
    for (let i = 0; i < 3; i++) {
      const answer = await lentRequest(get(raw.port), OPTIONS);
      expect((await drain(answer.body.lend())).bytes.toString()).toBe('ok');
    }
    expect(raw.connections()).toBe(3);
  });

  it('a body cut short, a malformed answer, silence and a refused connection are clear errors', async () => {
    const raw = await rawServer((socket, request) => {
      if (request === 1 && socket.localPort) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
    });
    servers.push(raw.server);
    const short = await lentRequest(get(raw.port), OPTIONS);
    await expect(drain(short.body.lend())).rejects.toThrow(new HttpResponseError('the connection closed before the body ended'));

    const garbled = await rawServer((socket) => socket.end('SMTP ready\r\n\r\n'));
    servers.push(garbled.server);
    await expect(lentRequest(get(garbled.port), OPTIONS)).rejects.toThrow(/malformed HTTP response: status line "SMTP ready"/);

    const silent = await rawServer(() => undefined);
    servers.push(silent.server);
    await expect(lentRequest(get(silent.port), { ...OPTIONS, idleTimeoutMs: 300 })).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringMatching(/sent nothing for 300 ms/) });

    const closed = await rawServer(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    await expect(lentRequest(get(closed.port), OPTIONS)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
