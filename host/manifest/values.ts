// Value rules of wskdeploy manifests: environment interpolation, typed inputs, web-export annotations.
import type { Dict } from './deployment.ts';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * wskdeploy interpolates a string that starts with `$` or contains a balanced `${...}`: every `$NAME` and `${NAME}`
 * is replaced by the variable's value ("" when unset), and `$${NAME}` escapes to a literal `${NAME}`.
 * Other strings, e.g. "redis://$HOST:6379", are left alone, as wskdeploy leaves them.
 */
export function interpolateEnv(value: string, env: NodeJS.ProcessEnv): string {
  const startsWithVar = value.length > 1 && value.startsWith('$');
  const hasBraced = value.includes('${') && count(value, '{') === count(value, '}');
  if (!startsWithVar && !hasBraced) return value;
  return value.replace(/\$\$\{(\w+)\}|\$\{(\w+)\}|\$(\w+)/g, (_m, escaped?: string, braced?: string, bare?: string) => {
    if (escaped !== undefined) return '${' + escaped + '}';
    return env[(braced ?? bare) as string] ?? '';
  });
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

const TYPED_KEYS = new Set(['type', 'value', 'default', 'description', 'required', 'schema', 'status']);
const TYPES = ['string', 'integer', 'float', 'boolean', 'json'] as const;
type InputType = (typeof TYPES)[number];

/** The `{type, value, default, ...}` form, as opposed to a plain (possibly object) value. */
function isTypedInput(spec: unknown): spec is Dict {
  if (!isDict(spec)) return false;
  const keys = Object.keys(spec);
  return keys.length > 0 && keys.every((k) => TYPED_KEYS.has(k)) && keys.some((k) => k === 'type' || k === 'value' || k === 'default');
}

function typeDefault(type: InputType): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'integer':
    case 'float':
      return 0;
    case 'boolean':
      return false;
    case 'json':
      return {};
  }
}

function convert(value: unknown, type: InputType, where: string): unknown {
  const bad = (): never => {
    throw new ManifestError(`${where}: expected a value of type ${type}, got ${JSON.stringify(value)}`);
  };
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : isDict(value) || Array.isArray(value) ? bad() : String(value);
    case 'integer': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) ? n : bad();
    }
    case 'float': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : bad();
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return bad();
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        return bad();
      }
  }
}

/**
 * One input: a plain value, or `{type, value, default}` where `value` wins over `default` and the type's zero value
 * fills in for both. Beyond wskdeploy: when `value` names unset variables (it interpolates to ""), `default` applies,
 * so `{value: $REDIS_URL, default: redis://127.0.0.1:6379}` works with and without the variable.
 */
export function resolveInput(spec: unknown, where: string, env: NodeJS.ProcessEnv): unknown {
  if (!isTypedInput(spec)) return typeof spec === 'string' ? interpolateEnv(spec, env) : spec;
  const type = (spec.type ?? 'string') as InputType;
  if (!TYPES.includes(type)) {
    throw new ManifestError(`${where}: unknown input type ${JSON.stringify(spec.type)} (use one of ${TYPES.join(', ')})`);
  }
  let value: unknown = spec.value ?? spec.default ?? typeDefault(type);
  if (typeof value === 'string') value = interpolateEnv(value, env);
  if (value === '' && typeof spec.value === 'string' && spec.value.includes('$') && spec.default !== undefined) {
    value = typeof spec.default === 'string' ? interpolateEnv(spec.default, env) : spec.default;
  }
  return convert(value, type, where);
}

export function resolveInputs(inputs: unknown, where: string, env: NodeJS.ProcessEnv): Dict {
  if (inputs === undefined || inputs === null) return {};
  if (!isDict(inputs)) throw new ManifestError(`${where}: must be a map of name: value`);
  const out: Dict = {};
  for (const [name, spec] of Object.entries(inputs)) out[name] = resolveInput(spec, `${where}.${name}`, env);
  return out;
}

/** `web`/`web-export`: true|yes → web action, raw → raw HTTP web action, false|no → not exported (as wskdeploy). */
export function webAnnotations(mode: unknown, where: string): Dict {
  const m = String(mode).toLowerCase();
  if (m === 'true' || m === 'yes') return { 'web-export': true, 'raw-http': false, final: true };
  if (m === 'raw') return { 'web-export': true, 'raw-http': true, final: true };
  if (m === 'false' || m === 'no') return { 'web-export': false, 'raw-http': false, final: false };
  throw new ManifestError(`${where}: must be one of true, yes, no, false, raw; got ${JSON.stringify(mode)}`);
}

export function toBoolean(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  const m = String(value).toLowerCase();
  if (m === 'true' || m === 'yes') return true;
  if (m === 'false' || m === 'no') return false;
  throw new ManifestError(`${where}: must be true or false, got ${JSON.stringify(value)}`);
}
