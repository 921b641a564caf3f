// A minimal keep-alive HTTP client for benchmarks, so the client's own cost stays the same on both sides.
import http from 'node:http';

export const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface HttpReply {
  status: number;
  body: string;
}

export function request(url: string, method: string, body?: unknown, auth?: string): Promise<HttpReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (auth) headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: keepAliveAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
