// Deploys the pipeline to a platform with the `openwhisk` client, from manifest.yaml and build/actions/*.js,
// the way wskdeploy would: `web: true` becomes the web-export, raw-http and final annotations, `$REDIS_URL` in
// inputs becomes the given Redis URL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openwhisk from 'openwhisk';
import { parse } from 'yaml';

const repoRoot = join(fileURLToPath(import.meta.url), '..', '..', '..');

interface ManifestAction {
  function: string;
  runtime?: string;
  web?: boolean | string;
  limits?: { timeout?: number; memorySize?: number; logSize?: number; concurrentActivations?: number };
  annotations?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

interface ManifestPackage {
  actions: Record<string, ManifestAction>;
  triggers?: Record<string, { inputs?: Record<string, unknown>; annotations?: Record<string, unknown> }>;
  rules?: Record<string, { trigger: string; action: string }>;
}

export interface DeployOptions {
  apihost: string;
  auth: string;
  redisUrl: string;
  /** Extra default parameters per action, e.g. `{ supercompute: { retries: 0 } }`. */
  params?: Record<string, Record<string, unknown>>;
}

/** A plain input, or a typed one `{type, value, default}`: `$VAR` interpolated, the default when that is empty. */
function resolveInput(spec: unknown, env: Record<string, string>): unknown {
  const typed = spec !== null && typeof spec === 'object' && !Array.isArray(spec);
  const raw = typed ? (spec as { value?: unknown }).value : spec;
  const value = typeof raw === 'string' ? raw.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => env[name] ?? '') : raw;
  if (typed && (value === undefined || value === '')) return (spec as { default?: unknown }).default;
  return value;
}

export function readManifest(): ManifestPackage {
  const doc = parse(readFileSync(join(repoRoot, 'manifest.yaml'), 'utf8')) as { packages: Record<string, ManifestPackage> };
  return doc.packages.default;
}

export async function deployPipeline(opts: DeployOptions): Promise<void> {
  const ow = openwhisk({ apihost: opts.apihost, api_key: opts.auth });
  const pkg = readManifest();
  const env = { REDIS_URL: opts.redisUrl };
  await Promise.all(
    Object.entries(pkg.actions).map(async ([name, a]) => {
      const params: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(a.inputs ?? {})) params[k] = resolveInput(v, env);
      Object.assign(params, opts.params?.[name]);
      const annotations: Record<string, unknown> = { ...a.annotations };
      if (a.web === true || a.web === 'yes' || a.web === 'raw') {
        Object.assign(annotations, { 'web-export': true, 'raw-http': a.web === 'raw', final: true });
      }
      const limits: Record<string, number> = {};
      if (a.limits?.timeout) limits.timeout = a.limits.timeout;
      if (a.limits?.memorySize) limits.memory = a.limits.memorySize;
      if (a.limits?.logSize) limits.logs = a.limits.logSize;
      if (a.limits?.concurrentActivations) limits.concurrency = a.limits.concurrentActivations;
      await ow.actions.create({
        name,
        action: readFileSync(join(repoRoot, a.function), 'utf8'),
        kind: a.runtime ?? 'nodejs:20',
        params,
        annotations,
        limits,
        overwrite: true,
      });
    }),
  );
  for (const [name, t] of Object.entries(pkg.triggers ?? {})) {
    await ow.triggers.update({ name, trigger: { parameters: [], annotations: Object.entries(t.annotations ?? {}).map(([key, value]) => ({ key, value })) } });
  }
  for (const [name, r] of Object.entries(pkg.rules ?? {})) {
    await ow.rules.update({ name, trigger: r.trigger, action: r.action });
  }
}
