// A function's source, to be sent to the `map` kernel: what `toString()` gives, refused here when it cannot work
// there (a built-in or bound function has no source; a class or generator is no map function).

export function functionSource(fn: unknown, what: string): string {
  if (typeof fn !== 'function') throw new TypeError(`${what} must be a function, got ${fn === null ? 'null' : typeof fn}`);
  const source = Function.prototype.toString.call(fn);
  const name = fn.name ? ` (${fn.name})` : '';
  if (/\{\s*\[native code\]\s*\}$/.test(source)) {
    throw new TypeError(`${what}${name} is a built-in or bound function, whose source cannot be sent; wrap it, e.g. (x) => Math.sqrt(x)`);
  }
  if (/^class\b/.test(source)) throw new TypeError(`${what}${name} is a class, not a function`);
  const kind = fn.constructor?.name;
  if (kind === 'GeneratorFunction' || kind === 'AsyncGeneratorFunction') {
    throw new TypeError(`${what}${name} is a generator function; give a function that returns its result`);
  }
  return source;
}
