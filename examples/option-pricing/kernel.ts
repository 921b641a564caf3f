// Monte Carlo pricing of a European call, as a kernel module. The paths are cut into fixed blocks, each drawn from its
// own generator seeded by (seed, block), so the price depends on (terms, paths, seed) only, never on how many tasks
// computed it; the serial reference draws the same paths in one loop. Each task returns the sum and the sum of squares
// of its discounted payoffs, so the result carries its own standard error.
// Deploy with `supercompute kernel deploy examples/option-pricing/kernel.ts`.
import { defineKernel, KernelInputError } from 'supercompute';
import { blackScholesCall, type CallTerms } from './black-scholes.ts';

export interface PricingParams extends CallTerms {
  paths: number;
  seed: number;
}

export interface PricingPartial {
  paths: number;
  sum: number;
  sumOfSquares: number;
}

export interface PricingResult {
  price: number;
  /** One standard error of `price`. */
  standardError: number;
  paths: number;
  /** The closed form, for comparison. */
  blackScholes: number;
}

const BLOCK = 1 << 14;
const MAX_PATHS = 1e10;

/** mulberry32 seeded through a 32-bit mix of (seed, block): small, fast, and good enough for pricing. */
function generator(seed: number, block: number): () => number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(block + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  let state = (h ^ (h >>> 12)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Discounted payoffs of paths [from, to): sum and sum of squares. */
function simulate(p: PricingParams, from: number, to: number): PricingPartial {
  const drift = (p.rate - (p.volatility * p.volatility) / 2) * p.maturity;
  const diffusion = p.volatility * Math.sqrt(p.maturity);
  const discount = Math.exp(-p.rate * p.maturity);
  let sum = 0;
  let sumOfSquares = 0;
  for (let block = Math.floor(from / BLOCK); block * BLOCK < to; block++) {
    const random = generator(p.seed, block);
    const start = Math.max(from, block * BLOCK);
    const end = Math.min(to, (block + 1) * BLOCK);
    // Each path takes two uniforms (one Box–Muller normal), so skipping a block's earlier paths is two draws each.
    for (let i = block * BLOCK; i < start; i++) random(), random();
    for (let i = start; i < end; i++) {
      const u = 1 - random();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      const payoff = discount * Math.max(0, p.spot * Math.exp(drift + diffusion * normal) - p.strike);
      sum += payoff;
      sumOfSquares += payoff * payoff;
    }
  }
  return { paths: to - from, sum, sumOfSquares };
}

function resultOf(p: PricingParams, total: PricingPartial): PricingResult {
  const price = total.sum / total.paths;
  const variance = Math.max(0, total.sumOfSquares / total.paths - price * price);
  return { price, standardError: Math.sqrt(variance / total.paths), paths: total.paths, blackScholes: blackScholesCall(p) };
}

function positive(raw: Record<string, unknown>, field: string, fallback: number, max = Number.MAX_VALUE): number {
  const given = raw[field];
  const value = given === undefined ? fallback : typeof given === 'string' ? Number(given) : given;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new KernelInputError(`option-pricing: "${field}" must be a number above 0${max < Number.MAX_VALUE ? ` and at most ${max}` : ''}`);
  }
  return value;
}

const FIELDS = ['spot', 'strike', 'rate', 'volatility', 'maturity', 'paths', 'seed'];

export default defineKernel<PricingParams, PricingPartial, PricingResult>({
  name: 'option-pricing',
  description: 'Prices a European call by Monte Carlo under geometric Brownian motion, with its standard error and the Black–Scholes price',
  params: {
    spot: 'price of the underlying today (default 100)',
    strike: 'strike price (default 100)',
    rate: 'risk-free rate per year, continuously compounded (default 0.05; may be 0 or negative)',
    volatility: 'annualised volatility (default 0.2)',
    maturity: 'years to expiry (default 1)',
    paths: 'simulated paths, an integer up to 1e10 (default 1e6)',
    seed: 'generator seed, an integer (default 1)',
  },
  parse(raw) {
    const unknown = Object.keys(raw).find((k) => !FIELDS.includes(k));
    if (unknown) throw new KernelInputError(`option-pricing: unknown field "${unknown}" (allowed: ${FIELDS.join(', ')})`);
    const rate = raw.rate === undefined ? 0.05 : Number(raw.rate);
    if (!Number.isFinite(rate) || Math.abs(rate) > 1) throw new KernelInputError('option-pricing: "rate" must be a number from -1 to 1');
    const paths = positive(raw, 'paths', 1e6, MAX_PATHS);
    const seed = raw.seed === undefined ? 1 : Number(raw.seed);
    if (!Number.isInteger(paths)) throw new KernelInputError('option-pricing: "paths" must be an integer');
    if (!Number.isSafeInteger(seed)) throw new KernelInputError('option-pricing: "seed" must be an integer');
    return {
      spot: positive(raw, 'spot', 100),
      strike: positive(raw, 'strike', 100),
      rate,
      volatility: positive(raw, 'volatility', 0.2, 10),
      maturity: positive(raw, 'maturity', 1, 100),
      paths,
      seed: seed | 0,
    };
  },
  split(params, tasks) {
    if (tasks > params.paths) throw new KernelInputError(`option-pricing: ${params.paths} paths cannot make ${tasks} tasks`);
    return tasks;
  },
  maxTasks(params) {
    return params.paths;
  },
  estimate(params) {
    // About 40 ns per path on one core of this project's benchmark machine.
    return { cpuMs: params.paths * 4e-5 };
  },
  work(params, task) {
    const from = Math.floor((params.paths * task.index) / task.count);
    const to = Math.floor((params.paths * (task.index + 1)) / task.count);
    return simulate(params, from, to);
  },
  reduce(params, partials) {
    const total = { paths: 0, sum: 0, sumOfSquares: 0 };
    for (const p of partials) {
      total.paths += p.paths;
      total.sum += p.sum;
      total.sumOfSquares += p.sumOfSquares;
    }
    return resultOf(params, total);
  },
  reference(params) {
    return resultOf(params, simulate(params, 0, params.paths));
  },
});
