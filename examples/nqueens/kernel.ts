// Counting the N-queens solutions by exhaustive search, as a kernel module: every placement of the first rows that
// no two queens attack is a subtree of the search; the subtrees are dealt round-robin to the tasks, each counts the
// solutions under its own, and the counts add up. Deploy with `supercompute kernel deploy examples/nqueens/kernel.ts`.
import { defineKernel, KernelInputError } from 'supercompute';

export interface QueensParams {
  n: number;
  /** Rows placed before the search is cut into subtrees. */
  depth: number;
}

export interface QueensPartial {
  solutions: number;
  subtrees: number;
}

export interface QueensResult {
  n: number;
  solutions: number;
  subtrees: number;
}

const MAX_N = 20;

/** One partial placement: the columns and diagonals its queens attack on the next row, as bit masks. */
interface Prefix {
  cols: number;
  left: number;
  right: number;
}

/** Solutions below a placement, by the usual bit-mask backtracking (one bit per column). */
function countBelow(all: number, cols: number, left: number, right: number): number {
  if (cols === all) return 1;
  let count = 0;
  let free = all & ~(cols | left | right);
  while (free !== 0) {
    const bit = free & -free;
    free ^= bit;
    count += countBelow(all, cols | bit, ((left | bit) << 1) & all, (right | bit) >>> 1);
  }
  return count;
}

/** Every placement of the first `depth` rows, in a fixed order (so task i always gets the same subtrees). */
function prefixes(n: number, depth: number): Prefix[] {
  const all = (1 << n) - 1;
  let level: Prefix[] = [{ cols: 0, left: 0, right: 0 }];
  for (let row = 0; row < depth; row++) {
    const next: Prefix[] = [];
    for (const p of level) {
      let free = all & ~(p.cols | p.left | p.right);
      while (free !== 0) {
        const bit = free & -free;
        free ^= bit;
        next.push({ cols: p.cols | bit, left: ((p.left | bit) << 1) & all, right: (p.right | bit) >>> 1 });
      }
    }
    level = next;
  }
  return level;
}

function integerParam(raw: Record<string, unknown>, field: string, min: number, max: number, fallback?: number): number {
  const value = raw[field] === undefined ? fallback : typeof raw[field] === 'string' ? Number(raw[field]) : raw[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new KernelInputError(`nqueens: "${field}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

export default defineKernel<QueensParams, QueensPartial, QueensResult>({
  name: 'nqueens',
  description: 'Counts the ways to place N queens on an N×N board so that no two attack each other (exhaustive search)',
  params: {
    n: 'board size, 1 to 20 (14 has 365,596 solutions)',
    depth: 'rows placed before the search is cut into subtrees, 0 to 4 (default 3, at most n)',
  },
  parse(raw) {
    const unknown = Object.keys(raw).filter((k) => k !== 'n' && k !== 'depth');
    if (unknown.length > 0) throw new KernelInputError(`nqueens: unknown field "${unknown[0]}" (allowed: n, depth)`);
    const n = integerParam(raw, 'n', 1, MAX_N);
    const depth = integerParam(raw, 'depth', 0, 4, Math.min(3, n));
    if (depth > n) throw new KernelInputError(`nqueens: "depth" (${depth}) must not exceed n (${n})`);
    return { n, depth };
  },
  split(params, tasks) {
    const subtrees = prefixes(params.n, params.depth).length;
    if (tasks > Math.max(1, subtrees)) {
      throw new KernelInputError(`nqueens: n=${params.n} at depth ${params.depth} has ${subtrees} subtrees; ask for at most that many tasks`);
    }
    return tasks;
  },
  maxTasks(params) {
    return Math.max(1, prefixes(params.n, params.depth).length);
  },
  estimate(params) {
    // Roughly 3 ns per node and about n!^(1/2) nodes... measured instead: n=14 takes ~0.6 s on one core here.
    return { cpuMs: 600 * 7 ** (params.n - 14) };
  },
  work(params, task) {
    const all = (1 << params.n) - 1;
    const mine = prefixes(params.n, params.depth).filter((_, i) => i % task.count === task.index);
    let solutions = 0;
    for (const p of mine) solutions += countBelow(all, p.cols, p.left, p.right);
    return { solutions, subtrees: mine.length };
  },
  reduce(params, partials) {
    let solutions = 0;
    let subtrees = 0;
    for (const p of partials) {
      solutions += p.solutions;
      subtrees += p.subtrees;
    }
    return { n: params.n, solutions, subtrees };
  },
  reference(params) {
    const all = (1 << params.n) - 1;
    return { n: params.n, solutions: countBelow(all, 0, 0, 0), subtrees: prefixes(params.n, params.depth).length };
  },
});
