// The guard on every URL a job's submitter gives (pipeline/data/url-policy.ts, guarded-fetch.ts): only public addresses unless the deployment
// allows more, checked on the resolved addresses the socket then connects to, again after each redirect, with errors
// that say nothing about what listens where. Real sockets on this machine's loopback stand in for internal services.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../pipeline/data/address-ranges.ts';
import { COULD_NOT_FETCH, NON_PUBLIC_ADDRESS, NO_ANSWER, NOT_RESOLVED, fetchGuarded, type GuardedFetchOptions, type Resolver } from '../pipeline/data/guarded-fetch.ts';
import { AllowHostsError, UrlPolicy } from '../pipeline/data/url-policy.ts';

const LIMITS: GuardedFetchOptions = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

/** An HTTP server on `host` answering `routes` (path → handler); counts the requests it saw. */
async function serve(host: string, routes: Record<string, (res: import('node:http').ServerResponse) => void>) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route) return route(res);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, seen, port: (server.address() as AddressInfo).port };
}

let secret: Awaited<ReturnType<typeof serve>>;
let v6: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  secret = await serve('127.0.0.1', {
    '/secret': (res) => res.end('internal secret words'),
    '/loop': (res) => {
      res.statusCode = 302;
      res.setHeader('location', '/loop');
      res.end();
    },
    '/to-file': (res) => {
      res.statusCode = 301;
      res.setHeader('location', 'file:///etc/passwd');
      res.end();
    },
    '/big': (res) => res.end('x'.repeat(4096)),
    '/hang': () => {},
    '/reset': (res) => res.socket?.destroy(),
  });
  v6 = await serve('::1', { '/public-looking': (res) => res.end('v6 answer') });
});
beforeEach(() => {
  secret.seen.length = 0;
  v6.seen.length = 0;
});
afterAll(() => {
  secret?.server.close();
  v6?.server.close();
});

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the fetch to fail');
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('address classification', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.0.1',
    '169.254.169.254', '100.64.0.1', '100.100.100.200', '0.0.0.0', '0.1.2.3', '224.0.0.1', '239.255.255.250',
    '255.255.255.255', '240.0.0.1', '198.18.0.1', '::', '::1', 'fc00::1', 'fd00:ec2::254', 'fe80::1', 'fe80::1%eth0',
    'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::127.0.0.1', '64:ff9b::7f00:1',
    '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', '2002:a9fe:a9fe::', '2001::1', '2001:db8::1', 'not an address', '',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '100.63.255.255', '100.128.0.1', '172.32.0.1', '2606:4700::1111', '2a00:1450::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('allowHosts', () => {
  it('takes host names, addresses and CIDRs, separated by commas or spaces, or as a list', () => {
    const policy = new UrlPolicy(' 10.1.0.0/16, data.internal  fd00::/8,127.0.0.1 ');
    expect(policy.allowHosts).toBe('10.1.0.0/16,data.internal,fd00::/8,127.0.0.1');
    expect(policy.allowsAddress('10.1.2.3')).toBe(true);
    expect(policy.allowsAddress('10.2.0.1')).toBe(false);
    expect(policy.allowsAddress('::ffff:10.1.2.3')).toBe(true);
    expect(policy.allowsAddress('fd00:ec2::254')).toBe(true);
    expect(policy.allowsAddress('127.0.0.1')).toBe(true);
    expect(policy.allowsAddress('127.0.0.2')).toBe(false);
    expect(policy.allowsHostName('DATA.internal.')).toBe(true);
    expect(policy.allowsHostName('other.internal')).toBe(false);
    expect(new UrlPolicy(['a.example', '192.168.0.0/24']).allowHosts).toBe('a.example,192.168.0.0/24');
    expect(new UrlPolicy('').allowHosts).toBe('');
  });

  it.each(['10.0.0.0/33', '10.0.0.0/x', 'host/8', 'host!', 'http://x', '::1/129'])('refuses the entry %s, naming it', (entry) => {
    expect(() => new UrlPolicy(entry)).toThrow(AllowHostsError);
    expect(() => new UrlPolicy(entry)).toThrow(JSON.stringify(entry));
  });

  it.each(['300.1.1.1', '10.1.2', '1.2.3.4.5', '256.0.0.1.', 'data.0x7f'])('refuses %s as an invalid address, not a host name', (entry) => {
    expect(() => new UrlPolicy(entry)).toThrow(`setting 'allowHosts': ${JSON.stringify(entry)} is not a valid IP address`);
  });
});

describe('guarded fetch', () => {
  const strict = new UrlPolicy('');

  it('refuses loopback in every spelling, by default, before connecting', async () => {
    const p = secret.port;
    const urls = [
      `http://127.0.0.1:${p}/secret`, `http://0x7f000001:${p}/secret`, `http://2130706433:${p}/secret`, `http://127.1:${p}/secret`,
      `http://017700000001:${p}/secret`, `http://[::1]:${v6.port}/public-looking`, `http://[::ffff:127.0.0.1]:${p}/secret`,
      `http://[::ffff:7f00:1]:${p}/secret`, `http://[::127.0.0.1]:${p}/secret`, `http://localhost:${p}/secret`,
      `http://LOCALHOST:${p}/secret`, `https://localhost:${p}/secret`,
    ];
    for (const url of urls) expect(await errorOf(fetchGuarded(url, strict, LIMITS)), url).toBe(NON_PUBLIC_ADDRESS);
    expect(secret.seen).toEqual([]);
    expect(v6.seen).toEqual([]);
  });

  it('refuses a name when any of its addresses is not public, and metadata addresses', async () => {
    const resolvingTo = (...addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    const url = `http://internal.example:${secret.port}/secret`;
    expect(await errorOf(fetchGuarded(url, strict, { ...LIMITS, resolve: resolvingTo('127.0.0.1') }))).toBe(NON_PUBLIC_ADDRESS);
    expect(await errorOf(fetchGuarded(url, strict, { ...LIMITS, resolve: resolvingTo('93.184.216.34', '127.0.0.1') }))).toBe(NON_PUBLIC_ADDRESS);
    expect(await errorOf(fetchGuarded(url, strict, { ...LIMITS, resolve: resolvingTo('169.254.169.254') }))).toBe(NON_PUBLIC_ADDRESS);
    expect(await errorOf(fetchGuarded(url, strict, { ...LIMITS, resolve: resolvingTo('fd00:ec2::254') }))).toBe(NON_PUBLIC_ADDRESS);
    for (const literal of ['169.254.169.254', '[fd00:ec2::254]', '10.0.0.1', '[fe80::1]', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255']) {
      expect(await errorOf(fetchGuarded(`http://${literal}/latest/meta-data/`, strict, LIMITS)), literal).toBe(NON_PUBLIC_ADDRESS);
    }
    expect(secret.seen).toEqual([]);
  });

  it('reaches what the deployment allows, by address, CIDR or name', async () => {
    const url = `http://127.0.0.1:${secret.port}/secret`;
    expect(text(await fetchGuarded(url, new UrlPolicy('127.0.0.1'), LIMITS))).toBe('internal secret words');
    expect(text(await fetchGuarded(url, new UrlPolicy('127.0.0.0/8'), LIMITS))).toBe('internal secret words');
    expect(text(await fetchGuarded(`http://[::1]:${v6.port}/public-looking`, new UrlPolicy('::1'), LIMITS))).toBe('v6 answer');
    expect(text(await fetchGuarded(`http://localhost:${secret.port}/secret`, new UrlPolicy('localhost'), { ...LIMITS, resolve: async () => [{ address: '127.0.0.1', family: 4 }] }))).toBe('internal secret words');
    // A name on the list vouches for that name only, not for the addresses it has.
    expect(await errorOf(fetchGuarded(url, new UrlPolicy('localhost'), LIMITS))).toBe(NON_PUBLIC_ADDRESS);
  });

  it('takes a host name with a trailing dot for the same host', async () => {
    const asked: string[] = [];
    const recording: Resolver = async (hostname) => {
      asked.push(hostname);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const url = `http://data.internal.:${secret.port}/secret`;
    expect(text(await fetchGuarded(url, new UrlPolicy('data.internal'), { ...LIMITS, resolve: recording }))).toBe('internal secret words');
    expect(asked).toEqual(['data.internal']);
    // With the system resolver, `localhost.` is localhost (from the hosts file): loopback, so refused as such.
    expect(await errorOf(fetchGuarded(`http://localhost.:${secret.port}/secret`, strict, LIMITS))).toBe(NON_PUBLIC_ADDRESS);
    expect(secret.seen).toEqual(['/secret']);
  });

  it('connects to the address it checked: a name that resolves elsewhere on a second lookup changes nothing', async () => {
    // An attacker's DNS answers an allowed address for the check and the internal one for any later lookup.
    const allowed = await serve('127.0.0.2', { '/secret': (res) => res.end('allowed host') });
    try {
      let lookups = 0;
      const rebinding: Resolver = async () => [{ address: lookups++ === 0 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
      const body = await fetchGuarded(`http://rebind.example:${allowed.port}/secret`, new UrlPolicy('127.0.0.2'), { ...LIMITS, resolve: rebinding });
      expect(text(body)).toBe('allowed host');
      expect(lookups).toBe(1);
      // Same port on the internal address: if the connection had resolved again, it would have reached nothing or this.
      expect(secret.seen).toEqual([]);
    } finally {
      allowed.server.close();
    }
  });

  it('checks every redirect again and bounds them', async () => {
    const redirector = await serve('127.0.0.2', {
      '/to-internal': (res) => {
        res.statusCode = 302;
        res.setHeader('location', `http://127.0.0.1:${secret.port}/secret`);
        res.end();
      },
      '/to-allowed': (res) => {
        res.statusCode = 307;
        res.setHeader('location', `/final`);
        res.end();
      },
      '/final': (res) => res.end('followed'),
    });
    try {
      const onlyRedirector = new UrlPolicy('127.0.0.2');
      expect(await errorOf(fetchGuarded(`http://127.0.0.2:${redirector.port}/to-internal`, onlyRedirector, LIMITS))).toBe(NON_PUBLIC_ADDRESS);
      expect(secret.seen).toEqual([]);
      expect(text(await fetchGuarded(`http://127.0.0.2:${redirector.port}/to-allowed`, onlyRedirector, LIMITS))).toBe('followed');
    } finally {
      redirector.server.close();
    }
    const local = new UrlPolicy('127.0.0.1');
    expect(await errorOf(fetchGuarded(`http://127.0.0.1:${secret.port}/loop`, local, LIMITS))).toBe(`${COULD_NOT_FETCH}: more than 5 redirects`);
    expect(secret.seen.filter((u) => u === '/loop')).toHaveLength(6);
    expect(await errorOf(fetchGuarded(`http://127.0.0.1:${secret.port}/to-file`, local, LIMITS))).toBe(`${COULD_NOT_FETCH}: only http and https URLs can be fetched`);
  });

  it('says the same for a closed port, a reset and a silent server, and names an unknown name', async () => {
    const closed = await serve('127.0.0.1', {});
    closed.server.close();
    await new Promise((resolve) => closed.server.once('close', resolve));
    const local = new UrlPolicy('127.0.0.1');
    const short = { ...LIMITS, timeoutMs: 300 };
    const messages = [
      await errorOf(fetchGuarded(`http://127.0.0.1:${closed.port}/secret`, local, short)),
      await errorOf(fetchGuarded(`http://127.0.0.1:${secret.port}/reset`, local, short)),
      await errorOf(fetchGuarded(`http://127.0.0.1:${secret.port}/hang`, local, short)),
      await errorOf(fetchGuarded(`http://no-such-host.invalid/`, local, short)),
    ];
    expect(messages).toEqual([NO_ANSWER, NO_ANSWER, NO_ANSWER, NOT_RESOLVED]);
  });

  it('bounds the body and reports an HTTP error status', async () => {
    const local = new UrlPolicy('127.0.0.1');
    expect(await errorOf(fetchGuarded(`http://127.0.0.1:${secret.port}/big`, local, { ...LIMITS, maxBytes: 100 }))).toBe(
      `${COULD_NOT_FETCH}: its content is larger than 100 bytes`,
    );
    expect(await errorOf(fetchGuarded(`http://127.0.0.1:${secret.port}/missing`, local, LIMITS))).toBe(`${COULD_NOT_FETCH}: it answered HTTP 404`);
    expect(await errorOf(fetchGuarded('ftp://127.0.0.1/x', local, LIMITS))).toBe(`${COULD_NOT_FETCH}: only http and https URLs can be fetched`);
  });
});
