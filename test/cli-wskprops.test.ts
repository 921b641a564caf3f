// Credentials: .wskprops parsing and the order flags > __OW_* > property file > embedded defaults.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWskprops, wskpropsPath } from '../host/target/wskprops.ts';
import { resolveTarget, isLocalTarget, DEFAULT_API_HOST } from '../cli/target.ts';
import { GUEST_AUTH } from '../platform/config.ts';

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cli-wskprops-'));
  writeFileSync(join(home, '.wskprops'), 'APIHOST=https://home.example\nAUTH=home:key\n');
  writeFileSync(join(home, 'other.props'), 'APIHOST=http://other.example:3233\nAUTH=other:key\nNAMESPACE=otherns\n');
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('.wskprops', () => {
  it('parses KEY=value lines, skipping comments and junk, last one winning', () => {
    const text = [
      '# written by wsk',
      '',
      'APIHOST=http://localhost:3233',
      '  AUTH = uuid:key=with=equals  ',
      'NAMESPACE="guest"',
      'not a property',
      'APIGW_ACCESS_TOKEN=',
      'APIHOST=https://later.example',
    ].join('\r\n');
    expect(parseWskprops(text)).toEqual({
      APIHOST: 'https://later.example',
      AUTH: 'uuid:key=with=equals',
      NAMESPACE: 'guest',
      APIGW_ACCESS_TOKEN: '',
    });
  });

  it('lives at WSK_CONFIG_FILE, else ~/.wskprops', () => {
    expect(wskpropsPath({ HOME: home })).toBe(join(home, '.wskprops'));
    expect(wskpropsPath({ HOME: home, WSK_CONFIG_FILE: '/x/props' })).toBe('/x/props');
  });
});

describe('target resolution', () => {
  it('falls back to the embedded platform defaults', () => {
    const t = resolveTarget({}, { HOME: join(home, 'nowhere') });
    expect(t).toMatchObject({ apihost: DEFAULT_API_HOST, auth: GUEST_AUTH, namespace: '_' });
    expect(t.sources).toEqual({ apihost: 'default', auth: 'default', namespace: 'default' });
    expect(isLocalTarget(t)).toBe(true);
  });

  it('reads ~/.wskprops, or WSK_CONFIG_FILE instead', () => {
    expect(resolveTarget({}, { HOME: home })).toMatchObject({ apihost: 'https://home.example', auth: 'home:key', namespace: '_' });
    const t = resolveTarget({}, { HOME: home, WSK_CONFIG_FILE: join(home, 'other.props') });
    expect(t).toMatchObject({ apihost: 'http://other.example:3233', auth: 'other:key', namespace: 'otherns' });
    expect(isLocalTarget(t)).toBe(false);
  });

  it('prefers __OW_* variables to the file, and flags to both, value by value', () => {
    const env = { HOME: home, __OW_API_HOST: 'http://env.example', __OW_API_KEY: 'env:key' };
    expect(resolveTarget({}, env)).toMatchObject({ apihost: 'http://env.example', auth: 'env:key' });
    const t = resolveTarget({ apihost: 'localhost:4000', namespace: 'flagns' }, env);
    expect(t).toMatchObject({ apihost: 'localhost:4000', auth: 'env:key', namespace: 'flagns' });
    expect(t.sources).toEqual({ apihost: 'flag', auth: 'env', namespace: 'flag' });
    expect(isLocalTarget(t)).toBe(true);
  });
});
