// Whole numbers as requests carry them: a JSON number, or decimal digits from a form or the command line. Everything
// `Number()` would also take (`true`, `[5]`, `"0x10"`, `"1e3"`, `" 7 "`, `"2.5"`) is refused, so a count means
// what it says.

const DECIMAL_INTEGER = /^-?\d+$/;

/** The integer `raw` names, or undefined when it is not an integer given as a number or decimal string. */
export function integerOf(raw: unknown): number | undefined {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL_INTEGER.test(raw) ? Number(raw) : Number.NaN;
  return Number.isInteger(n) ? n : undefined;
}
