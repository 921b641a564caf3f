// `supercompute platform` and `supercompute deploy` as processes: a manifest goes in, the entities come out.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openwhisk from 'openwhisk';
import { cli, startPlatformProcess, type RunningPlatform } from './cli-helpers.ts';

let platform: RunningPlatform;
let dir: string;
let ow: openwhisk.Client;

const MANIFEST = `
project:
  name: clitest
  packages:
    default:
      inputs:
        greeting: { type: string, value: $CLI_TEST_GREETING, default: hello }
      actions:
        echo:
          function: echo.js
          runtime: nodejs:20
          web: true
          limits: { timeout: 5000, memorySize: 128 }
          annotations: { note: top-level }
        shout:
          function: shout
          inputs: { suffix: "!" }
      sequences:
        echo-shout: { actions: "echo, shout" }
      triggers:
        cli-test-fired: { inputs: { source: trigger } }
      rules:
        cli-test-rule: { trigger: cli-test-fired, action: echo }
    clitools:
      inputs: { level: 3 }
      actions:
        inner: { function: echo.js, main: run }
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-deploy-'));
  writeFileSync(join(dir, 'echo.js'), 'function main(p) { return { ...p, echoed: true }; }\nfunction run(p) { return { inner: p.level }; }\n');
  mkdirSync(join(dir, 'shout'));
  writeFileSync(join(dir, 'shout', 'package.json'), JSON.stringify({ main: 'lib.js' }));
  writeFileSync(join(dir, 'shout', 'lib.js'), 'exports.main = (p) => ({ text: String(p.greeting).toUpperCase() + p.suffix });\n');
  writeFileSync(join(dir, 'manifest.yaml'), MANIFEST);
  platform = await startPlatformProcess();
  ow = openwhisk({ apihost: platform.url, api_key: platform.auth, namespace: platform.namespace });
});

afterAll(async () => {
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('supercompute deploy', () => {
  it('deploys a manifest to a platform started by `supercompute platform`', async () => {
    const r = await cli(['deploy', '--apihost', platform.url, '--manifest', join(dir, 'manifest.yaml')], { CLI_TEST_GREETING: 'hey' });
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deployed 1 package, 4 actions, 1 trigger, 1 rule/);

    const echo = await ow.actions.get('echo');
    const annotations = Object.fromEntries((echo.annotations ?? []).map((a) => [a.key, a.value]));
    expect(annotations).toMatchObject({ note: 'top-level', 'web-export': true, final: true });
    expect(echo.limits).toMatchObject({ timeout: 5000, memory: 128 });
    expect(echo.parameters).toContainEqual({ key: 'greeting', value: 'hey' });

    expect(await ow.actions.invoke({ name: 'echo-shout', blocking: true, result: true })).toEqual({ text: 'HEY!' });
    expect(await ow.actions.invoke({ name: 'clitools/inner', blocking: true, result: true })).toEqual({ inner: 3 });
    const rule = await ow.rules.get('cli-test-rule');
    expect(rule.status).toBe('active');
    expect(rule.action.name).toBe('echo');
  });

  it('overwrites on a second deploy, with --param winning over the manifest', async () => {
    const r = await cli(['deploy', '--apihost', platform.url, '--manifest', join(dir, 'manifest.yaml'), '--param', 'greeting=yo']);
    expect(r.code).toBe(0);
    expect(await ow.actions.invoke({ name: 'echo-shout', blocking: true, result: true })).toEqual({ text: 'YO!' });
  });

  it('fails clearly on a manifest whose function file is missing', async () => {
    writeFileSync(join(dir, 'broken.yaml'), 'packages:\n  default:\n    actions:\n      gone: { function: gone.js }\n');
    const r = await cli(['deploy', '--apihost', platform.url, '--manifest', join(dir, 'broken.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/actions\.gone\.function: file not found: gone\.js/);
  });

  it('fails clearly when the credentials are wrong', async () => {
    const r = await cli(['deploy', '--apihost', platform.url, '--auth', 'nobody:nothing', '--manifest', join(dir, 'manifest.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deploying .*401/);
  });

  it('stops cleanly on SIGINT', async () => {
    expect(await platform.stop()).toBe(0);
    expect(platform.stderr()).toMatch(/SIGINT: stopping/);
  });
});
