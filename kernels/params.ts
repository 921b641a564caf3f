import { KernelInputError } from './types.ts';

/** Rejects anything but a plain object and any field not in `allowed`. */
export function checkFields(kernel: string, raw: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new KernelInputError(`${kernel}: params must be an object`);
  }
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new KernelInputError(
        `${kernel}: unknown field "${key}" (allowed: ${allowed.length ? allowed.join(', ') : 'none'})`,
      );
    }
  }
  return raw as Record<string, unknown>;
}

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** Also accept a decimal string such as "1e10" or "123456", as a CLI or query string gives it. */
  allowString?: boolean;
}

function describe(rule: NumberRule): string {
  return `${rule.integer ? 'an integer' : 'a number'} from ${rule.min} to ${rule.max}`;
}

/** Reads a numeric field; `fallback` undefined makes it required. */
export function numberField(
  kernel: string,
  raw: Record<string, unknown>,
  field: string,
  rule: NumberRule,
  fallback?: number,
): number {
  let value = raw[field];
  if (value === undefined) {
    if (fallback === undefined) throw new KernelInputError(`${kernel}: missing field "${field}" (${describe(rule)})`);
    return fallback;
  }
  if (typeof value === 'string' && rule.allowString && /^\s*\d+(\.\d+)?(e\+?\d+)?\s*$/i.test(value)) {
    value = Number(value);
  }
  if (typeof value !== 'number') {
    throw new KernelInputError(`${kernel}: field "${field}" must be ${describe(rule)}, got ${typeof value} ${JSON.stringify(value)?.slice(0, 60)}`);
  }
  if (!Number.isFinite(value)) throw new KernelInputError(`${kernel}: field "${field}" must be finite`);
  if (rule.integer && !Number.isInteger(value)) {
    throw new KernelInputError(`${kernel}: field "${field}" must be an integer, got ${value}`);
  }
  if (value < rule.min || value > rule.max) {
    throw new KernelInputError(`${kernel}: field "${field}" must be ${describe(rule)}, got ${value}`);
  }
  return value;
}

/**
 * Validates a task count: an integer from 1, and at most `max` when the kernel has a bound of its own (the rows of an
 * image, the inputs of a list). The deployment's own ceiling (`maxTasks`) is the pipeline's to apply, never a kernel's.
 */
export function checkTasks(kernel: string, tasks: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof tasks !== 'number' || !Number.isInteger(tasks) || tasks < 1 || tasks > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'an integer from 1' : `an integer from 1 to ${max}`;
    throw new KernelInputError(`${kernel}: tasks must be ${range}, got ${String(tasks)}`);
  }
  return tasks;
}

/** The half-open share [start, end) of `total` items that task `index` of `count` gets (sizes differ by ≤ 1). */
export function shareOf(total: number, index: number, count: number): [number, number] {
  const base = Math.floor(total / count);
  const rem = total - base * count;
  const start = index * base + Math.min(index, rem);
  return [start, start + base + (index < rem ? 1 : 0)];
}

/** Checks that a task reference fits the job; work() is called with what split() accepted. */
export function checkTaskRef(kernel: string, task: { index: number; count: number }, max = Number.MAX_SAFE_INTEGER): void {
  checkTasks(kernel, task.count, max);
  if (!Number.isInteger(task.index) || task.index < 0 || task.index >= task.count) {
    throw new KernelInputError(`${kernel}: task index ${task.index} is outside 0..${task.count - 1}`);
  }
}
