// What a kernel module's default export must be; deploy refuses a module that is not one, naming what is missing.
import { KERNEL_NAME } from './catalog.ts';

const METHODS = ['parse', 'split', 'work', 'reduce'] as const;

/** Every problem with `value` as a kernel; none for a valid one. */
export function kernelProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object') {
    return [`the module's default export must be a kernel object (export default defineKernel({...})), got ${value === null ? 'null' : typeof value}`];
  }
  const k = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof k.name !== 'string') problems.push('"name" must be a string');
  else if (!KERNEL_NAME.test(k.name)) problems.push(`"name" must match ${KERNEL_NAME} (lower case, digits, "-" and "_"), got ${JSON.stringify(k.name)}`);
  if (typeof k.description !== 'string') problems.push('"description" must be a string');
  for (const m of METHODS) if (typeof k[m] !== 'function') problems.push(`"${m}" must be a function`);
  if (k.reference !== undefined && typeof k.reference !== 'function') problems.push('"reference", when given, must be a function');
  for (const m of ['estimate', 'maxTasks', 'prepare', 'reducePartition', 'writePart'] as const) if (k[m] !== undefined && typeof k[m] !== 'function') problems.push(`"${m}", when given, must be a function`);
  if (k.inputParam !== undefined) {
    const ip = k.inputParam as Record<string, unknown> | null;
    const good = ip !== null && typeof ip === 'object' && typeof ip.param === 'string' && (ip.instead === undefined || (Array.isArray(ip.instead) && ip.instead.every((f) => typeof f === 'string')));
    if (!good) problems.push('"inputParam", when given, must be { param: string, instead?: string[] }');
  }
  if (k.params !== undefined) {
    const p = k.params as Record<string, unknown>;
    if (p === null || typeof p !== 'object' || Object.values(p).some((v) => typeof v !== 'string')) problems.push('"params", when given, must map parameter names to strings');
  }
  return problems;
}
