// An HTTP proxy in front of a real S3-compatible server that fails some of the PUTs (object writes and server-side
// copies) it is sent, as a store under load does: answered 503 SlowDown, which the SDK retries a few times before
// giving up. A failed PUT is either refused outright, or written and then answered 503 (the answer lost on the way
// back), which leaves the object behind its writer's back. Which PUT fails comes from a seeded stream, so the same
// seed and the same order of PUTs give the same failures. Every PUT is logged (its key, whether it is a copy, whether
// it failed, whether it was written), so a test can tell which attempts reached the store.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { prng } from '../../platform/faults.ts';

export interface PutSeen {
  bucket: string;
  key: string;
  copy: boolean;
  /** Answered 503. */
  failed: boolean;
  /** Stored by the server (a failed PUT may have been). */
  written: boolean;
}

/** Which PUTs fail: those whose key matches `keys`, each with probability `chance`, and the first `first` of them. */
export interface PutFaults {
  keys: RegExp;
  chance?: number;
  first?: number;
  /** Of the failed PUTs, the share written before the 503 (default 0.5). */
  afterWrite?: number;
}

export interface S3FaultProxy {
  /** The proxy's endpoint, to give as AWS_ENDPOINT_URL. */
  url: string;
  /** Every PUT seen, in order. */
  readonly puts: PutSeen[];
  /** The rules in force; may be changed while it runs. */
  faults: PutFaults[];
  stop(): Promise<void>;
}

function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const SLOW_DOWN = (resource: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><Resource>${resource}</Resource><RequestId>fault-proxy</RequestId></Error>`;

export async function startS3FaultProxy(target: string, seed: string, faults: PutFaults[] = []): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const chance = prng(seedOf(seed));
  const puts: PutSeen[] = [];
  const matched = new Map<PutFaults, number>();

  /** Whether this PUT fails, and if so whether it is written first. */
  function decide(key: string): { fail: boolean; write: boolean } {
    for (const rule of proxy.faults) {
      if (!rule.keys.test(key)) continue;
      const n = matched.get(rule) ?? 0;
      matched.set(rule, n + 1);
      const u = chance();
      const v = chance();
      if (n < (rule.first ?? 0) || u < (rule.chance ?? 0)) return { fail: true, write: v < (rule.afterWrite ?? 0.5) };
    }
    return { fail: false, write: true };
  }

  function forward(req: http.IncomingMessage, answer: (upstreamStatus: number, upstream: http.IncomingMessage) => void, res: http.ServerResponse) {
    // The request as it came (the test server checks no signature); an Expect header would hold the body back.
    const headers = { ...req.headers };
    delete headers.expect;
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => answer(up.statusCode ?? 502, up));
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(out);
  }

  const refuse = (res: http.ServerResponse, path: string) => {
    res.writeHead(503, { 'content-type': 'application/xml' });
    res.end(SLOW_DOWN(path));
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const relay = (_status: number, up: http.IncomingMessage) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    };
    if (req.method !== 'PUT') return forward(req, relay, res);
    const [bucket = '', ...rest] = decodeURIComponent(path.slice(1)).split('/');
    const key = rest.join('/');
    const seen: PutSeen = { bucket, key, copy: req.headers['x-amz-copy-source'] !== undefined, failed: false, written: false };
    puts.push(seen);
    // A bucket's creation never fails.
    const { fail, write } = key === '' ? { fail: false, write: true } : decide(key);
    seen.failed = fail;
    if (fail && !write) {
      req.resume();
      req.on('end', () => refuse(res, path));
      return;
    }
    forward(
      req,
      (status, up) => {
        seen.written = status < 300;
        if (!fail) return relay(status, up);
        up.resume();
        up.on('end', () => refuse(res, path));
      },
      res,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: S3FaultProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    puts,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return proxy;
}
