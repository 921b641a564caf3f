// A function over a list of inputs, sent as its source: the kernel behind the library's `map`, `mapReduce` and
// `callAsync`. Each task evaluates the source in a fresh node:vm context (JavaScript's built-ins and `console`,
// nothing of the caller's), so a function that reaches for a variable from outside itself fails with a
// ReferenceError naming it. node:vm is no sandbox: the function runs with the trust of any kernel the namespace runs.
import vm from 'node:vm';
import type { Kernel } from './types.ts';
import { defineKernel } from './define.ts';
import { KernelInputError } from './types.ts';
import { checkFields, checkTaskRef, checkTasks, shareOf } from './params.ts';

export interface MapParams {
  /** The function's source, as `fn.toString()` gives it. */
  source: string;
  /** JSON inputs; the function is called once with each. */
  inputs: unknown[];
  /** A function of all results, in input order, to one value. */
  reduceSource?: string;
}
export interface MapPartial {
  /** Index of the task's first input. */
  from: number;
  results: unknown[];
}

const NAME = 'map';
/** Evaluating a source to its function is instant; a source that runs longer does something else first. */
const COMPILE_TIMEOUT_MS = 1000;
export const SELF_CONTAINED_HINT =
  'a function given to map must be self-contained (no variables from outside it; use a kernel module for bigger code)';

type Callable = (...args: unknown[]) => unknown;

function describeThrown(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const { name, message } = err as { name?: unknown; message?: unknown };
    return `${typeof name === 'string' && name !== '' ? name : 'Error'}: ${String(message)}`;
  }
  return `thrown ${typeof err === 'string' ? JSON.stringify(err) : String(err)}`;
}

/** What the function threw, said so that a free variable is recognised for what it is. */
function thrownByFunction(err: unknown): string {
  const text = describeThrown(err);
  const free = (err as { name?: unknown } | null)?.name === 'ReferenceError' && / is not defined$/.test(String((err as { message?: unknown }).message));
  return free ? `${text} — ${SELF_CONTAINED_HINT}` : text;
}

/** A context with JavaScript's built-ins and a console: nothing of the caller's, nothing of Node's. */
function freshContext(): vm.Context {
  return vm.createContext({ console });
}

function evaluate(code: string, context: vm.Context): unknown {
  return new vm.Script(code, { filename: 'map-function.js' }).runInContext(context, { timeout: COMPILE_TIMEOUT_MS });
}

/**
 * The function a source defines, in `context`: an arrow function, a function expression or declaration (async ones
 * too), or a method as an object literal's shorthand gives it (`f(x) { ... }`). Throws KernelInputError otherwise.
 */
export function compileFunction(source: unknown, field: string, context: vm.Context = freshContext()): Callable {
  if (typeof source !== 'string' || source.trim() === '') throw new KernelInputError(`${NAME}: field "${field}" must be a function's source`);
  let value: unknown;
  try {
    // The newline keeps a trailing line comment from swallowing the parenthesis.
    value = evaluate(`(${source}\n)`, context);
  } catch (asExpression) {
    if (describeThrown(asExpression).startsWith('SyntaxError') && /^\s*(async\s+)?\*?\s*[\p{L}_$][\p{L}\p{N}_$]*\s*\(/u.test(source)) {
      value = methodOf(source, field, context);
    } else {
      throw new KernelInputError(`${NAME}: field "${field}" is not a function's source: ${describeThrown(asExpression)}`);
    }
  }
  if (typeof value !== 'function') throw new KernelInputError(`${NAME}: field "${field}" must be a function's source, got one of ${value === null ? 'null' : typeof value}`);
  const text = Function.prototype.toString.call(value);
  if (/^class\b/.test(text)) throw new KernelInputError(`${NAME}: field "${field}" is a class, not a function`);
  const kind = (value as { constructor?: { name?: unknown } }).constructor?.name;
  if (kind === 'GeneratorFunction' || kind === 'AsyncGeneratorFunction') {
    throw new KernelInputError(`${NAME}: field "${field}" is a generator function; give a function that returns its result`);
  }
  return value as Callable;
}

/** `f(x) { ... }`, a method's source: the one method of `({ f(x) { ... } })`. */
function methodOf(source: string, field: string, context: vm.Context): unknown {
  let holder: unknown;
  try {
    holder = evaluate(`({${source}\n})`, context);
  } catch (err) {
    throw new KernelInputError(`${NAME}: field "${field}" is not a function's source: ${describeThrown(err)}`);
  }
  const properties = Object.values(Object.getOwnPropertyDescriptors(holder as object));
  if (properties.length !== 1 || typeof properties[0]!.value !== 'function') throw new KernelInputError(`${NAME}: field "${field}" is not one function's source`);
  return properties[0]!.value;
}

/** A JSON value made in `context`, so the function sees only its own realm's objects. */
function inContext<T>(value: T, context: vm.Context): T {
  return (evaluate('JSON.parse', context) as (text: string) => T)(JSON.stringify(value));
}

/** A result as it travels: JSON (undefined as null, as in a JSON array). */
function asJson(value: unknown, what: string): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new Error(`${what} is not JSON: ${describeThrown(err)}`);
  }
  return text === undefined ? null : JSON.parse(text);
}

/** The function over inputs [from, to), one after another, in one fresh context. */
async function mapRange(params: MapParams, from: number, to: number): Promise<unknown[]> {
  const context = freshContext();
  const fn = compileFunction(params.source, 'source', context);
  const inputs = inContext(params.inputs.slice(from, to), context);
  const results: unknown[] = [];
  for (let i = 0; i < inputs.length; i++) {
    let result: unknown;
    try {
      result = await fn(inputs[i]);
    } catch (err) {
      throw new Error(thrownByFunction(err));
    }
    results.push(asJson(result, `the result for input ${from + i}`));
  }
  return results;
}

/** All results in input order, through the reduce function when there is one. */
function finish(params: MapParams, results: unknown[]): unknown {
  if (params.reduceSource === undefined) return results;
  const context = freshContext();
  const reduceFn = compileFunction(params.reduceSource, 'reduceSource', context);
  let reduced: unknown;
  try {
    reduced = reduceFn(inContext(results, context));
  } catch (err) {
    throw new Error(`the reduce function threw ${thrownByFunction(err)}`);
  }
  if (typeof (reduced as { then?: unknown } | null)?.then === 'function') {
    throw new Error('the reduce function returned a promise; it must return its value (a reduce function cannot be async)');
  }
  return asJson(reduced, "the reduce function's result");
}

export const map = {
  name: NAME,
  description:
    'Calls a self-contained JavaScript function (source) on each of a list of JSON inputs, results in input order; reduceSource, if given, reduces them to one value.',
  params: {
    source: "a self-contained function's source, e.g. \"(x) => x * x\" (required)",
    inputs: 'a non-empty JSON array; the function is called on each (required)',
    reduceSource: 'a self-contained function (results) => value applied to all results in input order (optional)',
  },
  parse(raw) {
    const p = checkFields(NAME, raw, ['source', 'inputs', 'reduceSource']);
    compileFunction(p.source, 'source');
    // The reduce step takes the value a reduce function returns; an async one is known from its source, so refused here
    // rather than after every task has run.
    if (p.reduceSource !== undefined && compileFunction(p.reduceSource, 'reduceSource').constructor?.name === 'AsyncFunction') {
      throw new KernelInputError(`${NAME}: field "reduceSource" is an async function; a reduce function must return its value, not a promise`);
    }
    if (!Array.isArray(p.inputs) || p.inputs.length === 0) throw new KernelInputError(`${NAME}: field "inputs" must be a non-empty array`);
    return { source: p.source as string, inputs: p.inputs, ...(p.reduceSource !== undefined ? { reduceSource: p.reduceSource as string } : {}) };
  },
  /** At most one task per input. */
  split(params, tasks) {
    return Math.min(checkTasks(NAME, tasks), params.inputs.length);
  },
  async work(params, task) {
    checkTaskRef(NAME, task);
    const [from, to] = shareOf(params.inputs.length, task.index, task.count);
    return { from, results: await mapRange(params, from, to) };
  },
  reduce(params, partials) {
    const ordered = [...partials].sort((a, b) => a.from - b.from);
    const results = ordered.flatMap((p) => p.results);
    if (results.length !== params.inputs.length) throw new Error(`${NAME}: ${results.length} results for ${params.inputs.length} inputs`);
    return finish(params, results);
  },
  async reference(params) {
    return finish(params, await mapRange(params, 0, params.inputs.length));
  },
  maxTasks(params) {
    return params.inputs.length;
  },
} satisfies Kernel<MapParams, MapPartial, unknown>;

export default defineKernel(map);
