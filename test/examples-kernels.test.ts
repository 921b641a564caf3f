// The example kernel modules against their serial references, in this process: whatever the task count, the partials
// reduce to the reference (N-queens exactly; the option price to rounding), and the Monte Carlo price lies within
// its statistical error of the Black–Scholes closed form.
import { describe, expect, it } from 'vitest';
import nqueens from '../examples/nqueens/kernel.ts';
import optionPricing from '../examples/option-pricing/kernel.ts';
import { blackScholesCall, normalCdf } from '../examples/option-pricing/black-scholes.ts';
import type { AnyKernel } from '../kernels/types.ts';

async function runInProcess(kernel: AnyKernel, raw: Record<string, unknown>, tasks: number): Promise<unknown> {
  const params = kernel.parse(raw);
  const count = kernel.split(params, tasks);
  const partials = [];
  for (let index = count - 1; index >= 0; index--) partials.push(await kernel.work(params, { index, count }));
  return kernel.reduce(params, partials);
}

describe('the N-queens example', () => {
  const known = [1, 0, 0, 2, 10, 4, 40, 92, 352, 724];
  it('counts the known solutions for n = 1 … 10 on any task count', async () => {
    for (let n = 1; n <= known.length; n++) {
      const depth = Math.min(3, n);
      const subtrees = nqueens.maxTasks!(nqueens.parse({ n }));
      for (const tasks of [1, 2, 7, subtrees]) {
        if (tasks > subtrees) continue;
        expect(await runInProcess(nqueens, { n }, tasks), `n=${n} tasks=${tasks}`).toMatchObject({ n, solutions: known[n - 1] });
      }
      expect(nqueens.reference!(nqueens.parse({ n, depth }))).toMatchObject({ solutions: known[n - 1] });
    }
  });

  it('refuses what it cannot do, naming the field', () => {
    expect(() => nqueens.parse({ n: 0 })).toThrow(/"n" must be an integer from 1 to 20/);
    expect(() => nqueens.parse({ n: 8, depth: 9 })).toThrow(/"depth" must be an integer from 0 to 4/);
    expect(() => nqueens.parse({ n: 2, depth: 3 })).toThrow(/must not exceed n/);
    expect(() => nqueens.parse({ n: 8, size: 3 })).toThrow(/unknown field "size"/);
    expect(() => nqueens.split(nqueens.parse({ n: 4, depth: 1 }), 5)).toThrow(/has 4 subtrees/);
  });
});

describe('the option-pricing example', () => {
  it('gives the same price on any task count, within its standard error of Black–Scholes', async () => {
    const raw = { paths: 200_000, seed: 7 };
    const reference = optionPricing.reference!(optionPricing.parse(raw)) as { price: number; standardError: number; blackScholes: number };
    for (const tasks of [1, 3, 16]) {
      const r = (await runInProcess(optionPricing, raw, tasks)) as typeof reference;
      expect(r.price).toBeCloseTo(reference.price, 9);
      expect(r.standardError).toBeCloseTo(reference.standardError, 9);
    }
    expect(Math.abs(reference.price - reference.blackScholes)).toBeLessThan(4 * reference.standardError);
  });

  it('has a closed form that matches published values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    // Hull's textbook call: S=42, K=40, r=10%, sigma=20%, T=0.5 -> 4.76.
    expect(blackScholesCall({ spot: 42, strike: 40, rate: 0.1, volatility: 0.2, maturity: 0.5 })).toBeCloseTo(4.76, 2);
    expect(blackScholesCall({ spot: 100, strike: 100, rate: 0.05, volatility: 0.2, maturity: 1 })).toBeCloseTo(10.4506, 4);
  });

  it('refuses bad terms, naming the field', () => {
    expect(() => optionPricing.parse({ volatility: -1 })).toThrow(/"volatility" must be a number above 0/);
    expect(() => optionPricing.parse({ paths: 1.5 })).toThrow(/"paths" must be an integer/);
    expect(() => optionPricing.parse({ drift: 1 })).toThrow(/unknown field "drift"/);
  });
});
