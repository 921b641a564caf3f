// Action arguments as JSON text. A number too large for a double (`1e999999`) parses to Infinity here, and
// JSON.stringify would hand the action `null` for it, as if the argument had not been given. OpenWhisk's controller
// keeps such a number as written, so the action's own JSON.parse reads Infinity and can refuse it: so does this.
import { randomUUID } from 'node:crypto';

const MARK = `overflow-${randomUUID()}`;

export function argumentsJson(value: unknown): string {
  let overflow = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v !== Number.POSITIVE_INFINITY && v !== Number.NEGATIVE_INFINITY) return v;
    overflow = true;
    return `${MARK}${v === Number.POSITIVE_INFINITY ? '+' : '-'}`;
  });
  return overflow ? text.replaceAll(`"${MARK}+"`, '1e999999').replaceAll(`"${MARK}-"`, '-1e999999') : text;
}
