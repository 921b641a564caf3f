// Bad command lines fail fast, with a nonzero exit and a message that says what is wrong.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  // Port 1 refuses connections: nothing here may get as far as the API.
  const r = spawnSync(process.execPath, ['cli/bin.mjs', '--apihost', 'http://127.0.0.1:1', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('supercompute run with bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['zero tasks', ['run', 'sleep', '--tasks', '0'], /--tasks must be a positive integer, got "0"/],
    ['fractional tasks', ['run', 'sleep', '--tasks', '2.5'], /--tasks must be a positive integer/],
    ['negative --workers', ['run', 'sleep', '--workers', '-1'], /--workers must be an integer >= 0, got "-1"/],
    ['zero --slots', ['run', 'sleep', '--slots', '0'], /--slots must be a positive integer, got "0"/],
    ['a --param without =', ['run', 'primes', '--tasks', '4', '--param', 'below'], /--param expects key=value, got "below"/],
    ['a --param with broken JSON', ['run', 'primes', '--tasks', '4', '--param', 'range=[1,'], /--param range: .* does not parse/],
    ['--params that is not an object', ['run', 'primes', '--tasks', '4', '--params', '[1]'], /--params must be a JSON object/],
    ['an unknown kernel', ['run', 'nosuchkernel', '--tasks', '4'], /unknown kernel 'nosuchkernel'/],
    ['no kernel', ['run', '--tasks', '4'], /missing required argument 'kernel'/],
    ['an unknown option', ['run', 'sleep', '--tasks', '4', '--bogus'], /unknown option '--bogus'/],
    ['a bad --wait-timeout', ['run', 'sleep', '--tasks', '4', '--wait-timeout', 'soon'], /--wait-timeout must be a number/],
    ['fractional --workers', ['run', 'sleep', '--tasks', '4', '--workers', '1.5'], /--workers must be an integer >= 0, got "1.5"/],
    ['more --workers than allowed', ['run', 'sleep', '--param', 'ms=0', '--tasks', '4', '--workers', '5000'], /'workers' must be between 0 and 1000, got 5000/],
    ['a bad --stall-timeout', ['run', 'sleep', '--tasks', '4', '--stall-timeout', '-1'], /--stall-timeout must be a number >= 0/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}`, () => {
      const r = cli(...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('reports an unreachable OpenWhisk clearly', () => {
    const r = cli('status', 'some-job');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED.*supercompute platform/);
  });

  it('deploy --dry-run rejects a missing manifest', () => {
    const r = cli('deploy', '--dry-run', '--manifest', 'no/such/manifest.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/manifest not found: no\/such\/manifest\.yaml/);
  });
});
