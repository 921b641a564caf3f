// Bad command lines fail fast, with a nonzero exit and a message that says what is wrong.
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { cli as runCli, type CliResult } from './cli-helpers.ts';

// Port 1 refuses connections: nothing here may get as far as the API. Run as a child process without blocking the
// test worker, which must keep answering its runner while the command runs.
function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--apihost', 'http://127.0.0.1:1', ...args]);
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
    ['no kernel', ['run', '--tasks', '4'], /missing required argument 'kernel'/],
    ['an unknown option', ['run', 'sleep', '--tasks', '4', '--bogus'], /unknown option '--bogus'/],
    ['a bad --wait-timeout', ['run', 'sleep', '--tasks', '4', '--wait-timeout', 'soon'], /--wait-timeout must be a number/],
    ['fractional --workers', ['run', 'sleep', '--tasks', '4', '--workers', '1.5'], /--workers must be an integer >= 0, got "1.5"/],
    ['more --workers than allowed', ['run', 'sleep', '--param', 'ms=0', '--tasks', '4', '--workers', '5000'], /'workers' must be between 0 and 1000, got 5000/],
    ['a bad --stall-timeout', ['run', 'sleep', '--tasks', '4', '--stall-timeout', '-1'], /--stall-timeout must be a number >= 0/],
    // Counts are decimal digits: nothing else Number() would take.
    ['hexadecimal tasks', ['run', 'sleep', '--param', 'ms=0', '-t', '0x10'], /--tasks must be a positive integer, got "0x10"/],
    ['tasks in exponent notation', ['run', 'sleep', '--param', 'ms=0', '-t', '1e1'], /--tasks must be a positive integer, got "1e1"/],
    ['tasks given as true', ['run', 'sleep', '--param', 'ms=0', '-t', 'true'], /--tasks must be a positive integer, got "true"/],
    ['hexadecimal --workers', ['run', 'sleep', '--param', 'ms=0', '-t', '4', '--workers', '0x2'], /--workers must be an integer >= 0, got "0x2"/],
    ['binary --slots', ['run', 'sleep', '--param', 'ms=0', '--slots', '0b11'], /--slots must be a positive integer, got "0b11"/],
    // Output files are checked before anything runs.
    ['--out with an unknown extension', ['run', 'pi', '-t', '2', '-o', 'result.txt'], /--out result.txt: kernel 'pi' results are written as .json, or .png for an image result, not '.txt'/],
    ['--out in a missing directory', ['run', 'mandelbrot', '-t', '2', '-o', '/nonexistent/x.png'], /--out: directory \/nonexistent does not exist/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}`, async () => {
      const r = await cli(...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('reports an unreachable OpenWhisk clearly', async () => {
    const r = await cli('status', 'some-job');
    // The status could not be read: its own exit code, not a job's failure.
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nothing answers at http:\/\/127\.0\.0\.1:1 \(connection refused\).*supercompute platform/);
  });

  it('deploy --dry-run rejects a missing manifest', async () => {
    const r = await cli('deploy', '--dry-run', '--manifest', 'no/such/manifest.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/manifest not found: no\/such\/manifest\.yaml/);
  });
});

describe('supercompute run with input only the deployment can judge', () => {
  // The kernels live in the deployment (built-in and users' alike), so these are asked of a real one.
  let env: PipelineEnv;
  beforeAll(async () => {
    env = await startPipeline({ db: 11 });
  });
  afterAll(async () => {
    await env?.stop();
  });
  const cases: [string, string[], RegExp][] = [
    ['an unknown kernel', ['run', 'nosuchkernel', '--tasks', '4'], /unknown kernel 'nosuchkernel'/],
    // The same refusal, word for word, as the entry action's (test/pipeline-input.test.ts).
    ['--params with __proto__', ['run', 'pi', '-t', '2', '--params', '{"__proto__": {"samples": 5}}'], /^supercompute: invalid params for kernel 'pi': pi: unknown field "__proto__" \(allowed: samples, seed\)$/m],
    ['a --param named __proto__', ['run', 'pi', '-t', '2', '--param', '__proto__={"samples": 5}'], /^supercompute: invalid params for kernel 'pi': pi: unknown field "__proto__" \(allowed: samples, seed\)$/m],
    ['--out as PNG for a result that is no image', ['run', 'pi', '-t', '2', '-p', 'samples=1000', '-o', 'pi.png'], /--out pi.png: kernel 'pi' results are written as .json, not '.png'/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}`, async () => {
      const r = await runCli([...args, '--apihost', env.platform.url, '--auth', env.platform.auth, '--no-check-redis']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }
});

