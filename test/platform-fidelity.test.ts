// What stock OpenWhisk tools rely on beyond the entity routes: the API info at `/`, HEAD and 405, the kinds the
// platform runs, empty code, and parameters passed at init.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Platform } from '../platform/index.ts';
import { type Client, basicAuth, failure, invokeBlocking, startWithClient } from './helpers/platform-client.ts';

// openwhisk-composer is CommonJS without typings.
const require = createRequire(import.meta.url);
const composer = require('openwhisk-composer') as any;
const composerClient = require('openwhisk-composer/client') as (options: object, basic?: boolean) => any;

let platform: Platform;
let ow: Client;

beforeAll(async () => {
  ({ platform, ow } = await startWithClient());
});
afterAll(async () => {
  await platform?.stop();
});

const authorized = () => ({ authorization: basicAuth(platform.auth) });

describe('the API info', () => {
  it('GET / answers the controller document, as JSON, with the nodejs:20 runtime as default', async () => {
    const res = await fetch(`${platform.url}/`);
    expect(res.status).toBe(200);
    // wskdeploy (runtimes/runtimes.go) uses this document only when strings.Contains("application/json; charset=UTF-8",
    // <the answer's Content-Type>); otherwise it falls back to a built-in table and rewrites nodejs:20 to nodejs:10.
    expect('application/json; charset=UTF-8'.includes(res.headers.get('content-type') ?? '')).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/json');
    const info = (await res.json()) as Record<string, any>;
    expect(info).toMatchObject({ description: 'OpenWhisk', api_paths: ['/api/v1'], support: { github: expect.any(String) } });
    expect(info.runtimes.nodejs).toContainEqual(expect.objectContaining({ kind: 'nodejs:20', default: true }));
    expect(info.limits).toMatchObject({ actions_per_minute: expect.any(Number), concurrent_actions: expect.any(Number), triggers_per_minute: expect.any(Number) });
    expect(typeof info.build).toBe('string');
    const v1 = (await (await fetch(`${platform.url}/api/v1`)).json()) as Record<string, unknown>;
    expect(v1).toMatchObject({ description: 'OpenWhisk API', api_version_path: 'v1' });
  });
});

describe('methods', () => {
  it('serves HEAD where GET is, and answers 405 with the allowed methods elsewhere', async () => {
    const head = await fetch(`${platform.url}/api/v1/namespaces/_/actions`, { method: 'HEAD', headers: authorized() });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${platform.url}/`, { method: 'HEAD' })).status).toBe(200);

    const patch = await fetch(`${platform.url}/api/v1/namespaces/_/actions`, { method: 'PATCH', headers: authorized() });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, HEAD');
    expect(await patch.json()).toMatchObject({ error: 'HTTP method not allowed, supported methods: GET, HEAD', code: expect.any(String) });
    const put = await fetch(`${platform.url}/api/v1/namespaces/_/triggers`, { method: 'PUT', headers: authorized() });
    expect(put.status).toBe(405);
  });
});

describe('actions', () => {
  it('refuses kinds it cannot run, naming the kinds it runs and pointing to OpenWhisk', async () => {
    for (const kind of ['blackbox', 'python:3']) {
      const exec = kind === 'blackbox' ? { kind, image: 'openwhisk/example' } : { kind, code: 'def main(a): return a' };
      const err = await failure(ow.actions.create({ name: `k-${kind.replace(':', '')}`, action: { exec } }));
      expect(err.statusCode).toBe(400);
      expect(err.error.error).toContain(`kind '${kind}' is not supported by this platform, which runs nodejs:default, nodejs:18, nodejs:20`);
      expect(err.error.error).toContain('Apache OpenWhisk');
    }
  });

  it('accepts empty code, which fails at init as in OpenWhisk', async () => {
    await ow.actions.create({ name: 'empty', action: { exec: { kind: 'nodejs:20', code: '' } } });
    const a = await invokeBlocking(ow, 'empty');
    expect(a.response.success).toBe(false);
    expect(a.response.result).toEqual({ error: 'Missing main/no code to execute.' });
  });

  it('passes parameters annotated init: true at init (process.env), not to the run', async () => {
    await ow.actions.create({
      name: 'init-env',
      action: { exec: { kind: 'nodejs:20', code: 'function main(p) { return { env: process.env.API_TOKEN, args: Object.keys(p).sort() }; }' } },
    });
    await ow.actions.update({
      name: 'init-env',
      action: {
        parameters: [
          { key: 'API_TOKEN', value: 's3cr3t', init: true },
          { key: 'plain', value: 1 },
        ],
      },
    });
    const result = await ow.actions.invoke({ name: 'init-env', blocking: true, result: true, params: { extra: true } });
    expect(result).toEqual({ env: 's3cr3t', args: ['extra', 'plain'] });
  });
});

describe('the runtime, as the official nodejs:20 image', () => {
  it("gives composer's generated conductor redis 4, so its parallel fails as on a real OpenWhisk", async () => {
    const wsk = composerClient({ apihost: platform.url, api_key: platform.auth, namespace: '_' }, true);
    await wsk.actions.create({ name: 'plus-one', action: 'function main(p) { return { n: (p.n || 0) + 1 }; }' });
    await wsk.compositions.deploy(Object.assign(composer.parallel('plus-one', 'plus-one').compile(), { name: 'fork' }), true);
    const $composer = { redis: { uri: process.env.REDIS_URL || 'redis://127.0.0.1:6379' } };
    const a = await invokeBlocking(ow, 'fork', { n: 1, $composer });
    expect(a.response.success).toBe(false);
    expect(JSON.stringify(a.response.result)).toContain("Cannot find module 'redis-commands'");
  });

  it("resolves the image's modules at its versions, and none of the platform's own", async () => {
    // serialize-error 9 is an ES module that exports no package.json: it is imported instead.
    const versions = `async function main() {
      const v = (m) => { try { return require(m + '/package.json').version; } catch (e) { return e.code; } };
      const serializeError = typeof (await import('serialize-error')).serializeError;
      return { openwhisk: v('openwhisk'), express: v('express'), 'body-parser': v('body-parser'), redis: v('redis'), uuid: v('uuid'),
        serializeError, fastify: v('fastify'), yaml: v('yaml'), '@aws-sdk/client-s3': v('@aws-sdk/client-s3') };
    }`;
    await ow.actions.create({ name: 'image-modules', action: versions });
    // apache/openwhisk-runtime-nodejs core/nodejsActionBase/package.json; body-parser comes with express.
    expect(await ow.actions.invoke({ name: 'image-modules', blocking: true, result: true })).toEqual({
      openwhisk: '3.21.8', express: '4.20.0', 'body-parser': expect.stringMatching(/^1\./), redis: '4.0.4', uuid: '8.3.2', serializeError: 'function',
      fastify: 'MODULE_NOT_FOUND', yaml: 'MODULE_NOT_FOUND', '@aws-sdk/client-s3': 'MODULE_NOT_FOUND',
    });
    await ow.actions.create({ name: 'wants-fastify', action: "const fastify = require('fastify'); function main() { return {}; }" });
    const fails = await invokeBlocking(ow, 'wants-fastify', {});
    expect(fails.response.success).toBe(false);
    expect(JSON.stringify(fails.response.result)).toContain("Cannot find module 'fastify'");
    await ow.actions.create({ name: 'wants-express', action: "const express = require('express'); function main() { return { router: typeof express.Router }; }" });
    expect(await ow.actions.invoke({ name: 'wants-express', blocking: true, result: true })).toEqual({ router: 'function' });
  });
});
