// The reduce step of every kernel, as the pipeline runs it: partials arrive in any order, a task may be stored more
// than once (a retried or speculative copy), and the store keeps the first partial per task index. Whatever the
// order and the duplicates, the result is the same as from the partials in task order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernels } from '../kernels/index.ts';
import { runTasks } from './kernels-helpers.ts';

const JOBS: Record<string, { params: Record<string, unknown>; tasks: number }> = {
  pi: { params: { samples: 20_000, seed: 3 }, tasks: 12 },
  primes: { params: { below: 100_000 }, tasks: 12 },
  mandelbrot: { params: { width: 32, height: 24, maxIter: 50 }, tasks: 6 },
  wordcount: { params: { text: 'a b b c c c d d d d e '.repeat(40), top: 3 }, tasks: 8 },
  sleep: { params: { ms: 0 }, tasks: 12 },
  map: { params: { source: '(x) => x * x', inputs: Array.from({ length: 50 }, (_, i) => i), reduceSource: '(r) => r.join()' }, tasks: 12 },
};

/** As the store keeps them: the first partial stored per task index wins (HSETNX), later copies are dropped. */
function dedupe<T>(arrivals: Array<{ index: number; partial: T }>): T[] {
  const kept = new Map<number, T>();
  for (const a of arrivals) if (!kept.has(a.index)) kept.set(a.index, a.partial);
  return [...kept.values()];
}

describe('reduce is independent of arrival order and duplicates', () => {
  it('covers every kernel but sql, whose reduce is a query (its results are checked against DuckDB in kernels-sql)', () => {
    expect(Object.keys(JOBS).sort()).toEqual(Object.keys(kernels).filter((name) => name !== 'sql').sort());
  });

  for (const [name, job] of Object.entries(JOBS)) {
    it(name, async () => {
      const kernel = kernels[name];
      const params = kernel.parse(job.params);
      const partials = await runTasks(kernel, job.params, job.tasks);
      const expected = JSON.stringify(kernel.reduce(params, partials));
      const n = partials.length;
      // Every task arrives at least once, some several times, in any order.
      const arrivals = fc
        .tuple(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 * n }), fc.infiniteStream(fc.nat()))
        .map(([extra, seeds]) => {
          const order = [...Array.from({ length: n }, (_, i) => i), ...extra];
          const it = seeds[Symbol.iterator]();
          for (let i = order.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          return order;
        });
      fc.assert(
        fc.property(arrivals, (order) => {
          const merged = dedupe(order.map((index) => ({ index, partial: JSON.parse(JSON.stringify(partials[index])) })));
          expect(merged).toHaveLength(n);
          expect(JSON.stringify(kernel.reduce(params, merged))).toBe(expected);
        }),
        { numRuns: name === 'mandelbrot' ? 30 : 100, seed: 42 },
      );
    });
  }
});
