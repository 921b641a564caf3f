// The /whisk.system catalog through the official openwhisk client: public packages shared with every namespace,
// private ones kept, and the alarms feeds firing their triggers through the feed protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openwhisk from 'openwhisk';
import { SYSTEM_AUTH, type Platform } from '../platform/index.ts';
import { type Activation, type Client, failure, startWithClient } from './helpers/platform-client.ts';
import { waitUntil } from './helpers/wait-until.ts';
import { parseManifest } from '../host/manifest/read.ts';
import { deploy } from '../host/manifest/apply.ts';

let platform: Platform;
let ow: Client;
let system: Client;

beforeAll(async () => {
  // A minute of the `interval` feed lasts 300 ms here, so a test sees it fire more than once.
  ({ platform, ow } = await startWithClient({ alarmMinuteMs: 300 }));
  system = openwhisk({ apihost: platform.url, api_key: SYSTEM_AUTH }) as unknown as Client;
});
afterAll(async () => {
  await platform?.stop();
});

/** The activations of `name` so far, newest first, with their results. */
async function activationsOf(name: string): Promise<Activation[]> {
  return (await ow.activations.list({ name, docs: true, limit: 200 })) as Activation[];
}

describe('the whisk.system catalog', () => {
  it('is listed and invoked from the guest namespace', async () => {
    const packages = (await ow.packages.list({ namespace: 'whisk.system' })) as { name: string }[];
    expect(packages.map((p) => p.name).sort()).toEqual(['alarms', 'utils']);
    const alarms = (await ow.packages.get({ name: '/whisk.system/alarms' })) as { feeds: { name: string }[] };
    expect(alarms.feeds.map((f) => f.name).sort()).toEqual(['alarm', 'interval', 'once']);
    const utils = (await ow.packages.get({ name: '/whisk.system/utils' })) as { actions: { name: string }[] };
    expect(utils.actions.map((a) => a.name).sort()).toEqual(['cat', 'date', 'echo', 'head', 'hosturl', 'namespace', 'sort', 'split']);

    const invoke = (name: string, params: object = {}) => ow.actions.invoke({ name, params, blocking: true, result: true });
    expect(await invoke('/whisk.system/utils/echo', { hello: 'world' })).toEqual({ hello: 'world' });
    expect(await invoke('/whisk.system/utils/sort', { lines: ['pear', 'apple', 'fig'] })).toEqual({ lines: ['apple', 'fig', 'pear'], length: 3 });
    expect(await invoke('/whisk.system/utils/head', { lines: ['a', 'b', 'c'], num: 2 })).toEqual({ lines: ['a', 'b'], num: 2 });
    expect(await invoke('/whisk.system/utils/cat', { lines: ['a', 'b'] })).toEqual({ lines: ['a', 'b'], payload: 'a\nb' });
    expect(await invoke('/whisk.system/utils/split', { payload: 'a,b', separator: ',' })).toEqual({ lines: ['a', 'b'], payload: 'a,b' });
    expect(await invoke('/whisk.system/utils/namespace')).toEqual({ namespace: 'guest' });
    expect(await invoke('/whisk.system/utils/hosturl', { path: 'status', web: true, ext: '.http' })).toEqual({
      url: `${platform.url}/api/v1/web/guest/default/status.http`,
    });
    expect(Date.parse(((await invoke('/whisk.system/utils/date')) as { date: string }).date)).not.toBeNaN();
  });

  it('is bound into the guest namespace with parameters, and runs from its rules', async () => {
    await ow.packages.create({ name: 'myutils', package: { binding: { namespace: 'whisk.system', name: 'utils' }, parameters: [{ key: 'num', value: 2 }] } });
    expect(await ow.actions.invoke({ name: 'myutils/head', params: { lines: ['x', 'y', 'z'] }, blocking: true, result: true })).toEqual({ lines: ['x', 'y'], num: 2 });
    await ow.triggers.create({ name: 'echoed' });
    await ow.rules.create({ name: 'echo-rule', trigger: 'echoed', action: '/whisk.system/utils/echo' });
    await ow.triggers.invoke({ name: 'echoed', params: { said: 'hi' } });
    const echoed = await waitUntil('the rule to run echo', async () => (await activationsOf('echo')).find((a) => a.response.result.said === 'hi'));
    expect(echoed.namespace).toBe('guest');
  });

  it('keeps private packages and loose actions of another namespace forbidden (403)', async () => {
    await system.packages.update({ name: 'private', package: { publish: false } });
    await system.actions.update({ name: 'private/hidden', action: 'function main() { return {}; }' });
    await system.actions.update({ name: 'loose', action: 'function main() { return {}; }' });
    expect((await failure(ow.actions.invoke({ name: '/whisk.system/private/hidden', blocking: true }))).statusCode).toBe(403);
    expect((await failure(ow.actions.get({ name: '/whisk.system/private/hidden' }))).statusCode).toBe(403);
    expect((await failure(ow.packages.get({ name: '/whisk.system/private' }))).statusCode).toBe(403);
    expect((await failure(ow.actions.invoke({ name: '/whisk.system/loose', blocking: true }))).statusCode).toBe(403);
    expect((await failure(ow.triggers.list({ namespace: 'whisk.system' }))).statusCode).toBe(403);
    expect((await failure(ow.actions.update({ name: '/whisk.system/utils/mine', action: 'function main() {}' }))).statusCode).toBe(403);
    expect((await failure(ow.packages.create({ name: 'mine', package: { binding: { namespace: 'whisk.system', name: 'private' } } }))).statusCode).toBe(403);
    await ow.triggers.create({ name: 'poke' });
    expect((await failure(ow.rules.create({ name: 'poke-hidden', trigger: 'poke', action: '/whisk.system/private/hidden' }))).statusCode).toBe(403);
    const listed = (await ow.packages.list({ namespace: 'whisk.system' })) as { name: string }[];
    expect(listed.map((p) => p.name)).not.toContain('private');
    // Its owner sees it.
    expect(((await system.packages.list({})) as { name: string }[]).map((p) => p.name)).toContain('private');
  });
});

describe('the alarms feeds', () => {
  it('once: fires the trigger at its date and the rule runs its action', async () => {
    await ow.actions.create({ name: 'on-once', action: 'function main(p) { return p; }' });
    await ow.triggers.create({ name: 'at-once', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/once' }] } });
    await ow.rules.create({ name: 'once-rule', trigger: 'at-once', action: 'on-once' });
    const date = new Date(Date.now() + 1000).toISOString();
    await ow.feeds.create({ name: '/whisk.system/alarms/once', trigger: 'at-once', params: { date, trigger_payload: { hello: 'alarm' } } });
    const fired = await waitUntil('the once alarm to run its rule', async () => (await activationsOf('on-once'))[0]);
    expect(fired.response.result).toEqual({ hello: 'alarm' });
    // As Apache's provider: the fired alarm is kept, disabled, and deleting its feed afterwards succeeds.
    const feed = { name: '/whisk.system/alarms/once', trigger: 'at-once' };
    const disabled = await waitUntil('the fired alarm to be disabled', async () => {
      const status = (((await ow.feeds.get(feed)) as Activation).response.result as { status: { active: boolean; reason?: unknown } }).status;
      return status.active ? undefined : status;
    });
    expect(disabled.reason).toEqual({ kind: 'AUTO', message: 'Automatically disabled after firing once' });
    await ow.feeds.delete(feed);
    expect((await failure(ow.feeds.get(feed))).statusCode).toBe(502);
  });

  it('once with deleteAfterFire: the fire deletes the trigger and its alarm', async () => {
    await ow.triggers.create({ name: 'at-once-gone', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/once' }] } });
    const date = new Date(Date.now() + 500).toISOString();
    await ow.feeds.create({ name: '/whisk.system/alarms/once', trigger: 'at-once-gone', params: { date, deleteAfterFire: true } });
    const gone = () => ow.triggers.get({ name: 'at-once-gone' }).then(() => undefined, (err: { statusCode?: number }) => err.statusCode);
    expect(await waitUntil('the fire to delete its trigger', gone)).toBe(404);
  });

  it('alarm: a 6-field cron (seconds first) is accepted, as the provider does unless LIMIT_CRON_FIELDS', async () => {
    await ow.actions.create({ name: 'on-second', action: 'function main(p) { return p; }' });
    await ow.triggers.create({ name: 'every-second', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/alarm' }] } });
    await ow.rules.create({ name: 'second-rule', trigger: 'every-second', action: 'on-second' });
    const feed = { name: '/whisk.system/alarms/alarm', trigger: 'every-second' };
    await ow.feeds.create({ ...feed, params: { cron: '* * * * * *', trigger_payload: { second: true } } });
    await waitUntil('two fires a second apart', async () => ((await activationsOf('on-second')).length >= 2 ? true : undefined));
    await ow.feeds.delete(feed);
  });

  it('interval: fires again and again until the trigger is deleted', async () => {
    await ow.actions.create({ name: 'on-tick', action: 'function main(p) { return p; }' });
    await ow.triggers.create({ name: 'ticks', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/interval' }] } });
    await ow.rules.create({ name: 'tick-rule', trigger: 'ticks', action: 'on-tick' });
    await ow.feeds.create({ name: '/whisk.system/alarms/interval', trigger: 'ticks', params: { minutes: 1, trigger_payload: { tick: true } } });
    const read = (await ow.feeds.get({ name: '/whisk.system/alarms/interval', trigger: 'ticks', result: true })) as Activation;
    expect(read.response.result).toMatchObject({ config: { minutes: 1, payload: { tick: true } }, status: { active: true } });
    await waitUntil('three ticks', async () => ((await activationsOf('on-tick')).length >= 3 ? true : undefined), async () => (await activationsOf('on-tick')).length);

    await ow.rules.delete({ name: 'tick-rule' });
    await ow.triggers.delete({ name: 'ticks' });
    // The provider's next fire finds the trigger gone and ends the alarm, as openwhisk-package-alarms does.
    const ended = await waitUntil('the alarm to end', async () => {
      const r = (await ow.feeds.get({ name: '/whisk.system/alarms/interval', trigger: 'ticks' })) as Activation;
      const status = (r.response.result as { status: { active: boolean; reason?: { message: string } } }).status;
      return status.active ? undefined : status;
    });
    expect(ended.reason?.message).toBe('firing the trigger answered 404');
    await ow.feeds.delete({ name: '/whisk.system/alarms/interval', trigger: 'ticks' });
  });

  it('alarm: a cron feed is created, read, paused and deleted; bad parameters fail the feed', async () => {
    await ow.triggers.create({ name: 'nightly', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/alarm' }] } });
    const feed = { name: '/whisk.system/alarms/alarm', trigger: 'nightly' };
    await ow.feeds.create({ ...feed, params: { cron: '0 3 * * *', timezone: 'Europe/Paris' } });
    const status = async () => ((await ow.feeds.get(feed)) as Activation).response.result as { config: { cron: string }; status: { active: boolean } };
    expect((await status()).config.cron).toBe('0 3 * * *');
    await ow.feeds.update({ ...feed, params: { cron: '30 4 * * 1' } });
    expect((await status()).config).toMatchObject({ cron: '30 4 * * 1', timezone: 'Europe/Paris' });
    await ow.actions.invoke({ name: feed.name, params: { lifecycleEvent: 'PAUSE', triggerName: '/_/nightly', authKey: platform.auth }, blocking: true });
    expect((await status()).status.active).toBe(false);
    await ow.feeds.delete(feed);
    expect((await failure(ow.feeds.get(feed))).statusCode).toBe(502);

    const bad = await failure(ow.feeds.create({ ...feed, params: { cron: 'every day' } }));
    expect(bad.statusCode).toBe(502);
    expect(JSON.stringify(bad.error)).toContain("cron pattern 'every day' is not valid");
    const past = await failure(ow.feeds.create({ name: '/whisk.system/alarms/once', trigger: 'nightly', params: { date: '2001-01-01T00:00:00Z' } }));
    expect(JSON.stringify(past.error)).toContain('must be in the future');
  });

  it('a manifest trigger with an alarm feed deploys, and deploys again', async () => {
    const plan = parseManifest(
      'packages:\n  default:\n    triggers:\n      hourly:\n        feed: /whisk.system/alarms/alarm\n        inputs: { cron: "0 * * * *" }\n',
      'manifest.yaml',
    );
    const client = openwhisk({ apihost: platform.url, api_key: platform.auth });
    await deploy(plan, client);
    await deploy(plan, client);
    const read = (await ow.feeds.get({ name: '/whisk.system/alarms/alarm', trigger: 'hourly' })) as Activation;
    expect(read.response.result).toMatchObject({ config: { cron: '0 * * * *' }, status: { active: true } });
  });
});

describe('the alarms provider installed with LIMIT_CRON_FIELDS', () => {
  let limited: Platform;
  let client: Client;
  beforeAll(async () => {
    ({ platform: limited, ow: client } = await startWithClient({ limitCronFields: true }));
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('refuses a seconds field other than 0 and keeps one of 0', async () => {
    await client.triggers.create({ name: 'limited', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/alarm' }] } });
    const feed = { name: '/whisk.system/alarms/alarm', trigger: 'limited' };
    const refused = await failure(client.feeds.create({ ...feed, params: { cron: '*/8 * * * * *' } }));
    expect(refused.statusCode).toBe(502);
    expect(JSON.stringify(refused.error)).toContain('cron pattern is limited to 5 fields with 1 minute as the finest granularity');
    await client.feeds.create({ ...feed, params: { cron: '0 */5 * * * *' } });
    const read = (await client.feeds.get(feed)) as Activation;
    expect(read.response.result).toMatchObject({ config: { cron: '0 */5 * * * *' }, status: { active: true } });
  });
});
