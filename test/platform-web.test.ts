// Web actions on the embedded platform, driven with plain fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import type { Platform } from '../platform/index.ts';
import { type Client, startWithClient } from './helpers/platform-client.ts';

let platform: Platform;
let ow: Client;
let web: string;

function tinyPng(): Buffer {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(200);
  return PNG.sync.write(png);
}

beforeAll(async () => {
  ({ platform, ow } = await startWithClient());
  web = `${platform.url}/api/v1/web/guest`;
  const exported = { 'web-export': true };
  await ow.actions.create({ name: 'req', action: 'function main(p) { return { body: p }; }', annotations: exported });
  await ow.actions.create({ name: 'page', action: 'function main(p) { return { body: "<h1>" + (p.who || "hi") + "</h1>" }; }', annotations: exported });
  await ow.actions.create({ name: 'fields', action: 'function main() { return { html: "<p/>", text: "plain", svg: "<svg/>" }; }', annotations: exported });
  await ow.actions.create({
    name: 'img',
    action: `function main() { return { headers: { 'content-type': 'image/png' }, statusCode: 200, body: ${JSON.stringify(tinyPng().toString('base64'))} }; }`,
    annotations: exported,
  });
  await ow.actions.create({ name: 'pngbody', action: `function main() { return { body: ${JSON.stringify(tinyPng().toString('base64'))} }; }`, annotations: exported });
  await ow.actions.create({ name: 'hidden', action: 'function main() { return { body: "secret" }; }' });
  await ow.actions.create({ name: 'guarded', action: 'function main() { return { body: "ok" }; }', annotations: { ...exported, 'require-whisk-auth': 'token-1' } });
  await ow.actions.create({ name: 'keyed', action: 'function main(p) { return { body: p.__ow_user }; }', annotations: { ...exported, 'require-whisk-auth': true } });
  await ow.actions.create({ name: 'numbered', action: 'function main() { return { body: "ok" }; }', annotations: { ...exported, 'require-whisk-auth': 42 } });
  await ow.actions.create({ name: 'unguarded', action: 'function main() { return { body: "ok" }; }', annotations: { ...exported, 'require-whisk-auth': false } });
  await ow.actions.create({ name: 'closed', action: 'function main() { return { body: "ok" }; }', annotations: { ...exported, 'require-whisk-auth': { key: 'x' } } });
  await ow.actions.create({ name: 'raw', action: 'function main(p) { return { body: { q: p.__ow_query, b: p.__ow_body, m: p.__ow_method } }; }', annotations: { ...exported, 'raw-http': true } });
  await ow.packages.create({ name: 'site' });
  await ow.actions.create({ name: 'site/status', action: 'function main(p) { return { statusCode: 201, headers: { "x-custom": "yes" }, body: { created: p.id } }; }', annotations: exported });
});
afterAll(async () => {
  await platform?.stop();
});

describe('web actions', () => {
  it('.http passes __ow_ fields and shapes the response', async () => {
    const res = await fetch(`${web}/default/req/extra/path?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'abc' },
      body: JSON.stringify({ y: 2 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-openwhisk-activation-id')).toMatch(/^[0-9a-f]{32}$/);
    const p = (await res.json()) as Record<string, unknown>;
    expect(p).toMatchObject({ x: '1', y: 2, __ow_method: 'post', __ow_path: '/extra/path' });
    expect(p.__ow_headers).toMatchObject({ 'x-test': 'abc' });
  });

  it('honours statusCode and headers from a packaged action', async () => {
    const res = await fetch(`${web}/site/status.http?id=7`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(await res.json()).toEqual({ created: '7' });
  });

  it('.json returns the result, with projection', async () => {
    const res = await fetch(`${web}/default/page.json?who=ann`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ body: '<h1>ann</h1>' });
    expect(await (await fetch(`${web}/default/req.json/body?who=bob`)).json()).toMatchObject({ who: 'bob', __ow_method: 'get' });
  });

  it('.html, .text and .svg take `body`, else their own field', async () => {
    const html = await fetch(`${web}/default/page.html?who=cy`);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toBe('<h1>cy</h1>');
    const text = await fetch(`${web}/default/page.text?who=dee`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toBe('<h1>dee</h1>');
    expect(await (await fetch(`${web}/default/fields.html`)).text()).toBe('<p/>');
    expect(await (await fetch(`${web}/default/fields.text`)).text()).toBe('plain');
    const svg = await fetch(`${web}/default/fields.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toBe('<svg/>');
  });

  it('decodes base64 bodies for binary content types (.http and .png)', async () => {
    for (const url of [`${web}/default/img`, `${web}/default/pngbody.png`]) {
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.equals(tinyPng())).toBe(true);
      expect(PNG.sync.read(bytes).width).toBe(2);
    }
  });

  it('answers 404 for actions without web-export and 401 without the required secret', async () => {
    expect((await fetch(`${web}/default/hidden.json`)).status).toBe(404);
    expect((await fetch(`${web}/default/guarded.text`)).status).toBe(401);
    const ok = await fetch(`${web}/default/guarded.text`, { headers: { 'x-require-whisk-auth': 'token-1' } });
    expect(await ok.text()).toBe('ok');
  });

  it('require-whisk-auth true admits a valid key (Basic auth) of any namespace, named in __ow_user, as OpenWhisk does', async () => {
    const basic = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });
    const refused = await fetch(`${web}/default/keyed.text`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'Authentication is possible but has failed or not yet been provided.' });
    expect((await fetch(`${web}/default/keyed.text`, { headers: basic(`${platform.auth}x`) })).status).toBe(401);
    expect((await fetch(`${web}/default/keyed.text`, { headers: { 'x-require-whisk-auth': platform.auth } })).status).toBe(401);
    const ok = await fetch(`${web}/default/keyed.text`, { headers: basic(platform.auth) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('guest');
    // Another namespace's key is a valid key too: the controller lets it through and the action sees whose it is.
    const foreign = await fetch(`${web}/default/keyed.text`, { headers: basic(platform.systemAuth) });
    expect(foreign.status).toBe(200);
    expect(await foreign.text()).toBe('whisk.system');
    // A number compares with the header as text; `false` is as if the annotation were absent; anything but a string,
    // a number or a boolean admits no one.
    expect((await fetch(`${web}/default/numbered.text`, { headers: { 'x-require-whisk-auth': '42' } })).status).toBe(200);
    expect((await fetch(`${web}/default/numbered.text`, { headers: { 'x-require-whisk-auth': '43' } })).status).toBe(401);
    expect((await fetch(`${web}/default/unguarded.text`)).status).toBe(200);
    expect((await fetch(`${web}/default/closed.text`, { headers: basic(platform.auth) })).status).toBe(401);
    // OPTIONS is answered without auth (CORS preflight), the action not run.
    expect((await fetch(`${web}/default/keyed.text`, { method: 'OPTIONS' })).status).toBe(200);
  });

  it('rejects callers that set __ow_ fields', async () => {
    const res = await fetch(`${web}/default/req.json?__ow_method=get`);
    expect(res.status).toBe(400);
  });

  it('raw-http passes the query string and body unparsed', async () => {
    const res = await fetch(`${web}/default/raw.json?a=1&b=2`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(await res.json()).toEqual({ body: { q: 'a=1&b=2', b: 'hello', m: 'put' } });
  });
});
