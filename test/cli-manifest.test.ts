// The wskdeploy manifest reader: forms, inputs, environment substitution, references and errors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, loadManifest } from '../host/manifest/read.ts';
import { ManifestError, interpolateEnv } from '../host/manifest/values.ts';
import { applyActionOverrides, applyParamOverrides } from '../host/manifest/overrides.ts';

let dir: string;
const parse = (yaml: string, env: NodeJS.ProcessEnv = {}) => parseManifest(yaml, join(dir, 'manifest.yaml'), { env });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-manifest-'));
  writeFileSync(join(dir, 'a.js'), 'function main(p) { return p; }');
  writeFileSync(join(dir, 'b.js'), 'exports.handler = (p) => p;');
  writeFileSync(join(dir, 'c.py'), 'def main(a): return a');
  writeFileSync(join(dir, 'bundle.zip'), 'PK');
  mkdirSync(join(dir, 'pkgdir'));
  writeFileSync(join(dir, 'pkgdir', 'index.js'), 'exports.main = () => ({})');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('manifest reader', () => {
  it('reads the default package: actions, inputs, limits, web and annotations', () => {
    const plan = parse(`
packages:
  default:
    inputs:
      redisUrl: redis://127.0.0.1:6379
      shared: { type: integer, value: 3 }
    actions:
      a:
        function: a.js
        runtime: nodejs:20
        inputs:
          plain: hello
          obj: { x: 1 }
          typed: { type: string, default: dflt }
          shared: 4
        limits: { timeout: 30000, memorySize: 512, logSize: 1, concurrency: 8 }
        web: true
        annotations: { provide-api-key: true }
      b:
        function: b.js
        main: handler
        web-export: raw
        final: true
      c:
        function: c.py
        web: no
      d:
        function: pkgdir
        conductor: true
      e:
        function: bundle.zip
        runtime: nodejs:default
        main: entry
`);
    expect(plan.packages).toEqual([]);
    expect(plan.actions.map((a) => a.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const [a, b, c, d, e] = plan.actions;
    expect(a!.exec).toEqual({ kind: 'nodejs:20', main: undefined, source: { type: 'file', path: join(dir, 'a.js') } });
    expect(a!.parameters).toEqual({ redisUrl: 'redis://127.0.0.1:6379', shared: 4, plain: 'hello', obj: { x: 1 }, typed: 'dflt' });
    expect(a!.limits).toEqual({ timeout: 30000, memory: 512, logs: 1, concurrency: 8 });
    expect(a!.annotations).toEqual({ 'provide-api-key': true, 'web-export': true, 'raw-http': false, final: true });
    expect(b!.exec).toMatchObject({ kind: 'nodejs:default', main: 'handler' });
    expect(b!.annotations).toEqual({ 'web-export': true, 'raw-http': true, final: true });
    expect(b!.parameters).toEqual({ redisUrl: 'redis://127.0.0.1:6379', shared: 3 });
    expect(c!.exec).toMatchObject({ kind: 'python:default' });
    expect(c!.annotations).toEqual({ 'web-export': false, 'raw-http': false, final: false });
    expect(d!.exec).toMatchObject({ kind: 'nodejs:default', source: { type: 'dir' } });
    expect(d!.annotations).toEqual({ conductor: true });
    expect(e!.exec).toMatchObject({ kind: 'nodejs:default', main: 'entry', source: { type: 'zip' } });
    expect(plan.warnings).toEqual([]);
  });

  it('reads project: {packages} with a named package, sequences, triggers and rules', () => {
    const plan = parse(`
project:
  name: demo
  packages:
    tools:
      public: true
      inputs: { greeting: hi }
      annotations: { owner: me }
      actions:
        a: { function: a.js }
        b: { function: b.js }
      sequences:
        ab: { actions: "a, b", web: true }
        cross: { actions: "a, /whisk.system/utils/echo" }
      triggers:
        tick:
          feed: /whisk.system/alarms/alarm
          inputs: { cron: "*/5 * * * *" }
        done: {}
      rules:
        on-done: { trigger: done, action: ab }
`);
    expect(plan.project).toBe('demo');
    expect(plan.packages).toEqual([{ name: 'tools', parameters: { greeting: 'hi' }, annotations: { owner: 'me' }, publish: true }]);
    expect(plan.actions.map((a) => a.name)).toEqual(['tools/a', 'tools/b', 'tools/ab', 'tools/cross']);
    // Package inputs stay on the package; actions do not copy them.
    expect(plan.actions[0]!.parameters).toEqual({});
    expect(plan.actions[2]!.exec).toEqual({ kind: 'sequence', components: ['/_/tools/a', '/_/tools/b'] });
    expect(plan.actions[2]!.annotations).toMatchObject({ 'web-export': true });
    expect(plan.actions[3]!.exec).toEqual({ kind: 'sequence', components: ['/_/tools/a', '/whisk.system/utils/echo'] });
    expect(plan.triggers).toEqual([
      { name: 'tick', parameters: { cron: '*/5 * * * *' }, annotations: { feed: '/whisk.system/alarms/alarm' }, feed: '/whisk.system/alarms/alarm' },
      { name: 'done', parameters: {}, annotations: {}, feed: undefined },
    ]);
    expect(plan.rules).toEqual([{ name: 'on-done', trigger: 'done', action: 'tools/ab' }]);
    expect(plan.warnings).toEqual(['sequence tools/cross: action "/whisk.system/utils/echo" is not in the manifest; it must already exist']);
  });

  it('substitutes $VAR and ${VAR} in inputs as wskdeploy does', () => {
    const env = { HOST: 'example.org', PORT: '6380', N: '12', J: '{"k":[1,2]}', EMPTY: '' };
    const plan = parse(
      `
packages:
  default:
    actions:
      a:
        function: a.js
        inputs:
          whole: $HOST
          braced: \${HOST}
          inside: redis://\${HOST}:\${PORT}/0
          notAtStart: redis://$HOST:1
          escaped: $\${HOST}
          unset: $NOPE
          count: { type: integer, value: $N }
          json: { type: json, value: $J }
          fallback: { type: string, value: $NOPE, default: redis://127.0.0.1:6379 }
          flag: { type: boolean, value: "true" }
          zero: { type: float }
`,
      env,
    );
    expect(plan.actions[0]!.parameters).toEqual({
      whole: 'example.org',
      braced: 'example.org',
      inside: 'redis://example.org:6380/0',
      notAtStart: 'redis://$HOST:1',
      escaped: '${HOST}',
      unset: '',
      count: 12,
      json: { k: [1, 2] },
      fallback: 'redis://127.0.0.1:6379',
      flag: true,
      zero: 0,
    });
    expect(interpolateEnv('plain', env)).toBe('plain');
  });

  it('applies --param overrides to packages, default-package actions and declared inputs', () => {
    const plan = parse(`
packages:
  default:
    inputs: { redisUrl: redis://a:1 }
    actions:
      a: { function: a.js }
  tools:
    actions:
      b: { function: b.js, inputs: { redisUrl: redis://b:1, other: 1 } }
      c: { function: a.js }
`);
    applyParamOverrides(plan, { redisUrl: 'redis://new:2' });
    expect(plan.actions.map((a) => a.parameters)).toEqual([{ redisUrl: 'redis://new:2' }, { redisUrl: 'redis://new:2', other: 1 }, {}]);
    expect(plan.packages[0]!.parameters).toEqual({ redisUrl: 'redis://new:2' });
  });

  it('merges per-action parameters and limits over the manifest, and refuses an action it does not define', () => {
    const plan = parse(`
packages:
  default:
    actions:
      a: { function: a.js, inputs: { retries: 2, fanout: 32 }, limits: { timeout: 1000, memorySize: 256 } }
      b: { function: b.js, inputs: { retries: 2 } }
`);
    applyActionOverrides(plan, { params: { a: { retries: 0 } }, limits: { a: { memory: 128 } } });
    expect(plan.actions.map((a) => [a.parameters, a.limits])).toEqual([
      [{ retries: 0, fanout: 32 }, { timeout: 1000, memory: 128 }],
      [{ retries: 2 }, {}],
    ]);
    expect(() => applyActionOverrides(plan, { params: { c: { retries: 0 } } })).toThrow(/no action "c"/);
  });

  it('warns about keys it does not deploy', () => {
    const plan = parse(`
packages:
  default:
    apis: { x: {} }
    actions:
      a: { function: a.js, limts: { timeout: 1000 } }
`);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/packages\.default\.apis: not supported, ignored$/),
      expect.stringMatching(/packages\.default\.actions\.a: unknown key "limts" ignored$/),
    ]);
  });

  const bad: [string, string, RegExp][] = [
    ['invalid YAML', 'packages:\n  default:\n    actions: [a\n', /invalid YAML/],
    ['duplicate keys', 'packages:\n  default: {}\n  default: {}\n', /invalid YAML.*unique/i],
    ['no packages', 'actions:\n  a: {}\n', /no "packages:"/],
    ['a list for packages', 'packages: [a, b]\n', /"packages" must be a non-empty map/],
    ['an action without function', 'packages:\n  default:\n    actions:\n      a: { runtime: nodejs:20 }\n', /actions\.a: needs a "function"/],
    ['a missing function file', 'packages:\n  default:\n    actions:\n      a: { function: nope.js }\n', /actions\.a\.function: file not found: nope\.js/],
    ['a bad limit', 'packages:\n  default:\n    actions:\n      a: { function: a.js, limits: { timeout: soon } }\n', /limits\.timeout: must be a non-negative integer/],
    ['an unknown limit', 'packages:\n  default:\n    actions:\n      a: { function: a.js, limits: { cpu: 2 } }\n', /unknown limit "cpu"/],
    ['a bad web value', 'packages:\n  default:\n    actions:\n      a: { function: a.js, web: maybe }\n', /actions\.a\.web: must be one of true, yes, no, false, raw/],
    ['a bad input type', 'packages:\n  default:\n    actions:\n      a: { function: a.js, inputs: { n: { type: number, value: 1 } } }\n', /unknown input type "number"/],
    ['a mistyped input', 'packages:\n  default:\n    actions:\n      a: { function: a.js, inputs: { n: { type: integer, value: x } } }\n', /inputs\.n: expected a value of type integer/],
    ['a rule on an undefined action', 'packages:\n  default:\n    triggers: { t: {} }\n    rules:\n      r: { trigger: t, action: missing }\n', /rule r names action "missing"/],
    ['a rule without trigger', 'packages:\n  default:\n    actions:\n      a: { function: a.js }\n    rules:\n      r: { action: a }\n', /rules\.r\.trigger: required/],
    ['an empty sequence', 'packages:\n  default:\n    sequences:\n      s: { actions: "" }\n', /sequences\.s\.actions: must list the actions/],
    ['a sequence of undefined actions', 'packages:\n  default:\n    sequences:\n      s: { actions: "x" }\n', /sequence s names action "x"/],
    ['inline code without runtime', 'packages:\n  default:\n    actions:\n      a: { code: "function main() {}" }\n', /inline "code" needs a "runtime"/],
  ];
  for (const [what, yaml, message] of bad) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => parse(yaml)).toThrow(ManifestError);
      expect(() => parse(yaml)).toThrow(message);
    });
  }

  it('says which manifest file is missing', () => {
    expect(() => loadManifest(join(dir, 'nope.yaml'))).toThrow(/manifest not found: .*nope\.yaml/);
  });

  it.skipIf(!existsSync('manifest.yaml'))("reads the repo's manifest", () => {
    const plan = loadManifest('manifest.yaml', { checkFiles: false });
    const names = plan.actions.map((a) => a.name);
    for (const name of ['supercompute', 'split', 'coordinate', 'reduce', 'status']) expect(names).toContain(name);
    // Tasks run in kernel actions (host/kernels/), deployed into the kernels package, which binds their Redis.
    expect(names).not.toContain('work');
    expect(plan.packages.map((p) => p.name)).toEqual(['supercompute-kernels']);
    expect(plan.packages[0]!.parameters).toHaveProperty('redisUrl');
    const status = plan.actions.find((a) => a.name === 'status')!;
    expect(status.annotations['web-export']).toBe(true);
    // The dashboard page only talks to `status`; every other action reaches Redis.
    expect(plan.actions.find((a) => a.name === 'dashboard')!.annotations['web-export']).toBe(true);
    for (const action of plan.actions.filter((a) => a.name !== 'dashboard')) expect(action.parameters).toHaveProperty('redisUrl');
    expect(plan.triggers.map((t) => t.name)).toContain('supercompute-done');
    expect(plan.rules).toContainEqual({ name: 'supercompute-done-reduce', trigger: 'supercompute-done', action: 'reduce' });
  });
});
