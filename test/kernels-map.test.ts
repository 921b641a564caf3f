import { describe, expect, it } from 'vitest';
import { map, SELF_CONTAINED_HINT } from '../kernels/map.ts';
import { KernelInputError } from '../kernels/types.ts';
import { runJob, runTasks } from './kernels-helpers.ts';

const inputs = Array.from({ length: 10 }, (_, i) => i);
const squares = inputs.map((x) => x * x);

describe('map kernel', () => {
  it('runs every way of writing a function, as its source', async () => {
    const methods = { sq(x: number) { return x * x; }, async asq(x: number) { return x * x; } };
    const sources = [
      ((x: number) => x * x).toString(),
      (async (x: number) => x * x).toString(),
      function sq(x: number) { return x * x; }.toString(),
      async function asq(x: number) { return x * x; }.toString(),
      methods.sq.toString(),
      methods.asq.toString(),
      'x => x * x // a trailing comment',
    ];
    for (const source of sources) expect(await runJob(map, { source, inputs }, 3), source).toEqual(squares);
  });

  it('gives results in input order whatever order the partials arrive in, reduced when asked', async () => {
    expect(await runJob(map, { source: '(x) => ({ x, s: String(x) })', inputs }, 4, 7)).toEqual(inputs.map((x) => ({ x, s: String(x) })));
    const params = { source: '(x) => x * x', inputs, reduceSource: '(r) => r.reduce((a, b) => a + b, 0)' };
    expect(await runJob(map, params, 4, 3)).toBe(285);
    expect(await map.reference(map.parse(params))).toBe(285);
  });

  it('splits into at most one task per input, contiguous slices', async () => {
    const params = map.parse({ source: 'x => x', inputs: [1, 2, 3] });
    expect(map.split(params, 10)).toBe(3);
    expect(map.maxTasks(params)).toBe(3);
    expect(await runTasks(map, { source: 'x => x', inputs: [1, 2, 3, 4, 5] }, 2)).toEqual([
      { from: 0, results: [1, 2, 3] },
      { from: 3, results: [4, 5] },
    ]);
  });

  it('names a free variable and says why it fails', async () => {
    const params = map.parse({ source: '(x) => x * rate', inputs });
    await expect(map.work(params, { index: 1, count: 2 })).rejects.toThrow(`ReferenceError: rate is not defined — ${SELF_CONTAINED_HINT}`);
    // Nothing of the host's process is in reach either.
    await expect(map.work(map.parse({ source: '() => process.pid', inputs }), { index: 0, count: 1 })).rejects.toThrow(/process is not defined/);
    await expect(map.work(map.parse({ source: 'async (x) => { throw new TypeError("bad " + x) }', inputs }), { index: 0, count: 1 })).rejects.toThrow(/^TypeError: bad 0$/);
  });

  it('refuses what is not one function, clearly', async () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ source: 'class A {}', inputs }, /is a class/],
      [{ source: 'function* g(x) { yield x }', inputs }, /generator/],
      [{ source: '42', inputs }, /must be a function's source, got one of number/],
      [{ source: 'function sqrt() { [native code] }', inputs }, /not a function's source: SyntaxError/],
      [{ source: 'x =>', inputs }, /not a function's source: SyntaxError/],
      [{ source: '', inputs }, /must be a function's source/],
      [{ source: 'x => x', inputs: [] }, /non-empty array/],
      [{ source: 'x => x', inputs: 'abc' }, /non-empty array/],
      [{ source: 'x => x', inputs, extra: 1 }, /unknown field "extra"/],
      [{ source: 'x => x', inputs, reduceSource: 7 }, /reduceSource/],
      [{ source: 'x => x', inputs, reduceSource: 'async (r) => r' }, /"reduceSource" is an async function; a reduce function must return its value/],
      [{ source: 'x => x', inputs, reduceSource: 'async function total(r) { return r.length; }' }, /"reduceSource" is an async function/],
      [{ source: '(() => { for (;;); })()', inputs }, /not a function's source: Error: Script execution timed out/],
    ];
    for (const [raw, why] of refused) {
      expect(() => map.parse(raw), JSON.stringify(raw)).toThrow(KernelInputError);
      expect(() => map.parse(raw), JSON.stringify(raw)).toThrow(why);
    }
    // A plain function that returns a promise cannot be told from its source: refused when it returns one.
    await expect(runJob(map, { source: 'x => x', inputs, reduceSource: '(r) => Promise.resolve(r)' }, 2)).rejects.toThrow(/cannot be async/);
    await expect(runJob(map, { source: 'x => 10n', inputs }, 2)).rejects.toThrow(/result for input 0 is not JSON: TypeError/);
  });
});
