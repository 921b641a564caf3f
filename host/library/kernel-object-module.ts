// A kernel object given to `deployKernel` instead of a file: written out as a module of its own, each method by its
// source (as `map` sends a function), so it must be self-contained like a `map` function; anything bigger is a module.
import { functionSource } from './function-source.ts';

/** The source of an ES module whose default export is `kernel`: methods by their source, other fields as JSON. */
export function kernelObjectModule(kernel: object): string {
  const members = Object.entries(kernel).map(([key, value]) => {
    const prop = JSON.stringify(key);
    if (typeof value !== 'function') {
      if (value === undefined) return undefined;
      return `  ${prop}: ${JSON.stringify(value)},`;
    }
    const source = functionSource(value, `the kernel's ${key}`);
    // A method written as `parse(raw) { ... }` keeps its shorthand; any other function is the property's value.
    const shorthand = new RegExp(`^(async\\s+)?${key.replace(/[$]/g, '\\$')}\\s*\\(`).test(source);
    return shorthand ? `  ${source},` : `  ${prop}: ${source},`;
  });
  return `export default {\n${members.filter((m) => m !== undefined).join('\n')}\n};\n`;
}
