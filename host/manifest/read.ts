// Reads a wskdeploy manifest (manifest.yaml) into a deployment plan.
//
// We read manifests ourselves rather than through @adobe/aio-lib-runtime: that library pulls in ~100 MB of
// dependencies for the same job, and it ignores an action-level `web-export: true`.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve, extname, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { ManifestError, isDict, resolveInputs, webAnnotations, toBoolean, interpolateEnv } from './values.ts';
import {
  DEFAULT_PACKAGE,
  type ActionSource,
  type DeploymentPlan,
  type Dict,
  type PlannedAction,
  type PlannedExec,
  type PlannedLimits,
  type PlannedRule,
  type PlannedTrigger,
} from './deployment.ts';

export interface ManifestOptions {
  env?: NodeJS.ProcessEnv;
  /** Check that every `function` path exists (default true). */
  checkFiles?: boolean;
}

const PACKAGE_KEYS = new Set([
  'version', 'license', 'public', 'inputs', 'actions', 'sequences', 'triggers', 'feeds', 'rules', 'apis',
  'dependencies', 'annotations', 'namespace', 'credential', 'description', 'name',
]);
const ACTION_KEYS = new Set([
  'function', 'code', 'runtime', 'main', 'inputs', 'outputs', 'limits', 'web', 'web-export', 'raw-http', 'final',
  'conductor', 'annotations', 'docker', 'native', 'description', 'version', 'include', 'exclude', 'location',
]);
const LIMIT_KEYS: Record<string, keyof PlannedLimits> = {
  timeout: 'timeout',
  memorySize: 'memory',
  logSize: 'logs',
  concurrency: 'concurrency',
  concurrentActivations: 'concurrency',
};

const RUNTIME_BY_EXT: Record<string, string> = {
  '.js': 'nodejs:default', '.mjs': 'nodejs:default', '.cjs': 'nodejs:default', '.py': 'python:default',
  '.php': 'php:default', '.rb': 'ruby:default', '.swift': 'swift:default', '.go': 'go:default',
  '.jar': 'java:default', '.rs': 'rust:default', '.zip': 'nodejs:default',
};

export function loadManifest(path: string, options: ManifestOptions = {}): DeploymentPlan {
  const full = resolve(path);
  if (!existsSync(full)) throw new ManifestError(`manifest not found: ${path}`);
  return parseManifest(readFileSync(full, 'utf8'), full, options);
}

/** `manifestPath` names the file in messages and anchors relative `function` paths. */
export function parseManifest(text: string, manifestPath: string, options: ManifestOptions = {}): DeploymentPlan {
  const env = options.env ?? process.env;
  const checkFiles = options.checkFiles ?? true;
  const label = relative(process.cwd(), manifestPath) || manifestPath;
  const baseDir = dirname(manifestPath);

  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ManifestError(`${label}: invalid YAML: ${doc.errors[0]!.message}`);
  }
  const top: unknown = doc.toJS();
  if (!isDict(top)) throw new ManifestError(`${label}: expected a map with "packages:" or "project:" at the top`);

  const plan: DeploymentPlan = { manifestPath, packages: [], actions: [], triggers: [], rules: [], warnings: [] };
  let packages: unknown;
  if (top.project !== undefined) {
    if (!isDict(top.project)) throw new ManifestError(`${label}: "project" must be a map`);
    if (top.project.name !== undefined) plan.project = String(top.project.name);
    packages = top.project.packages;
    if (packages === undefined && top.packages !== undefined) packages = top.packages;
  } else if (top.packages !== undefined) {
    packages = top.packages;
  } else if (isDict(top.package) && typeof top.package.name === 'string') {
    packages = { [top.package.name]: top.package }; // the older single-package form
  } else {
    throw new ManifestError(`${label}: no "packages:" (or "project: {packages}") section`);
  }
  if (!isDict(packages) || Object.keys(packages).length === 0) {
    throw new ManifestError(`${label}: "packages" must be a non-empty map of package name to package`);
  }

  const ctx: Ctx = { label, baseDir, env, checkFiles, plan };
  const sequences: PlannedAction[] = [];
  for (const [pkgName, pkg] of Object.entries(packages)) {
    readPackage(ctx, pkgName, pkg ?? {}, sequences);
  }
  plan.actions.push(...sequences);
  checkReferences(ctx, new Set(Object.keys(packages)));
  return plan;
}

interface Ctx {
  label: string;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  checkFiles: boolean;
  plan: DeploymentPlan;
}

function qualify(pkg: string, name: string): string {
  return pkg === DEFAULT_PACKAGE ? name : `${pkg}/${name}`;
}

function mapOf(value: unknown, where: string): Dict {
  if (value === undefined || value === null) return {};
  if (!isDict(value)) throw new ManifestError(`${where}: must be a map`);
  return value;
}

function warnUnknown(ctx: Ctx, obj: Dict, known: Set<string>, where: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) ctx.plan.warnings.push(`${where}: unknown key "${key}" ignored`);
  }
}

function readPackage(ctx: Ctx, pkgName: string, pkg: unknown, sequences: PlannedAction[]): void {
  const where = `${ctx.label}: packages.${pkgName}`;
  if (!isDict(pkg)) throw new ManifestError(`${where}: must be a map`);
  warnUnknown(ctx, pkg, PACKAGE_KEYS, where);
  const isDefault = pkgName === DEFAULT_PACKAGE;
  const parameters = resolveInputs(pkg.inputs, `${where}.inputs`, ctx.env);
  const annotations = mapOf(pkg.annotations, `${where}.annotations`);
  if (!isDefault) {
    ctx.plan.packages.push({
      name: pkgName,
      parameters,
      annotations,
      publish: pkg.public === undefined ? false : toBoolean(pkg.public, `${where}.public`),
    });
  }
  for (const key of ['apis', 'dependencies', 'feeds'] as const) {
    if (pkg[key] !== undefined) ctx.plan.warnings.push(`${where}.${key}: not supported, ignored`);
  }

  // Without a package to hold them, the default package's inputs become every action's defaults.
  const inherited = isDefault ? parameters : {};
  for (const [name, spec] of Object.entries(mapOf(pkg.actions, `${where}.actions`))) {
    ctx.plan.actions.push(readAction(ctx, pkgName, name, spec ?? {}, inherited));
  }
  for (const [name, spec] of Object.entries(mapOf(pkg.sequences, `${where}.sequences`))) {
    sequences.push(readSequence(ctx, pkgName, name, spec ?? {}, inherited));
  }
  for (const [name, spec] of Object.entries(mapOf(pkg.triggers, `${where}.triggers`))) {
    ctx.plan.triggers.push(readTrigger(ctx, `${where}.triggers.${name}`, name, spec ?? {}));
  }
  for (const [name, spec] of Object.entries(mapOf(pkg.rules, `${where}.rules`))) {
    ctx.plan.rules.push(readRule(`${where}.rules.${name}`, pkgName, name, spec));
  }
}

function readAnnotations(spec: Dict, where: string): Dict {
  const annotations: Dict = { ...mapOf(spec.annotations, `${where}.annotations`) };
  const web = spec['web-export'] ?? spec.web;
  if (web !== undefined) Object.assign(annotations, webAnnotations(web, `${where}.${spec['web-export'] !== undefined ? 'web-export' : 'web'}`));
  if (spec['raw-http'] !== undefined) annotations['raw-http'] = toBoolean(spec['raw-http'], `${where}.raw-http`);
  if (spec.final !== undefined) annotations.final = toBoolean(spec.final, `${where}.final`);
  if (spec.conductor !== undefined) annotations.conductor = toBoolean(spec.conductor, `${where}.conductor`);
  return annotations;
}

function readLimits(value: unknown, where: string): PlannedLimits {
  const limits: PlannedLimits = {};
  for (const [key, raw] of Object.entries(mapOf(value, where))) {
    const field = LIMIT_KEYS[key];
    if (!field) throw new ManifestError(`${where}: unknown limit "${key}" (use ${Object.keys(LIMIT_KEYS).join(', ')})`);
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new ManifestError(`${where}.${key}: must be a non-negative integer, got ${JSON.stringify(raw)}`);
    }
    limits[field] = n;
  }
  return limits;
}

function readSource(ctx: Ctx, where: string, fn: unknown): Exclude<ActionSource, { type: 'inline' }> {
  if (typeof fn !== 'string' || fn.trim() === '') throw new ManifestError(`${where}.function: must be a file path`);
  const path = resolve(ctx.baseDir, interpolateEnv(fn, ctx.env));
  if (!existsSync(path)) {
    if (ctx.checkFiles) {
      const hint = relative(ctx.baseDir, path).startsWith('build') ? ' (run `npm run build` first)' : '';
      throw new ManifestError(`${where}.function: file not found: ${fn}${hint}`);
    }
    return { type: 'file', path };
  }
  if (statSync(path).isDirectory()) return { type: 'dir', path };
  return extname(path).toLowerCase() === '.zip' ? { type: 'zip', path } : { type: 'file', path };
}

function readAction(ctx: Ctx, pkg: string, name: string, spec: unknown, inherited: Dict): PlannedAction {
  const where = `${ctx.label}: packages.${pkg}.actions.${name}`;
  if (!isDict(spec)) throw new ManifestError(`${where}: must be a map`);
  warnUnknown(ctx, spec, ACTION_KEYS, where);
  const main = spec.main === undefined ? undefined : String(spec.main);
  let exec: PlannedExec;
  if (spec.docker !== undefined) {
    const source = spec.function !== undefined ? readSource(ctx, where, spec.function) : undefined;
    exec = { kind: 'blackbox', image: String(spec.docker), main, source };
  } else if (spec.code !== undefined) {
    if (spec.function !== undefined) throw new ManifestError(`${where}: give either "function" or "code", not both`);
    if (spec.runtime === undefined) throw new ManifestError(`${where}: inline "code" needs a "runtime"`);
    exec = { kind: String(spec.runtime), main, source: { type: 'inline', code: String(spec.code) } };
  } else if (spec.function !== undefined) {
    const source = readSource(ctx, where, spec.function);
    let kind = spec.runtime === undefined ? undefined : String(spec.runtime);
    if (kind === undefined) {
      kind = source.type === 'dir' ? 'nodejs:default' : RUNTIME_BY_EXT[extname(source.path).toLowerCase()];
      if (kind === undefined) throw new ManifestError(`${where}: cannot tell the runtime of ${String(spec.function)}; add "runtime"`);
    }
    exec = { kind, main, source };
  } else {
    throw new ManifestError(`${where}: needs a "function" (file, directory or zip), "code" or "docker"`);
  }
  return {
    name: qualify(pkg, name),
    package: pkg,
    exec,
    parameters: { ...inherited, ...resolveInputs(spec.inputs, `${where}.inputs`, ctx.env) },
    annotations: readAnnotations(spec, where),
    limits: readLimits(spec.limits, `${where}.limits`),
  };
}

/** Sequence components as the API wants them: fully qualified, `_` standing for the caller's namespace. */
function componentName(pkg: string, ref: string): string {
  if (ref.startsWith('/')) return ref;
  return `/_/${ref.includes('/') ? ref : qualify(pkg, ref)}`;
}

function readSequence(ctx: Ctx, pkg: string, name: string, spec: unknown, inherited: Dict): PlannedAction {
  const where = `${ctx.label}: packages.${pkg}.sequences.${name}`;
  if (!isDict(spec)) throw new ManifestError(`${where}: must be a map`);
  const list = Array.isArray(spec.actions) ? spec.actions.map(String) : typeof spec.actions === 'string' ? spec.actions.split(',') : undefined;
  const components = (list ?? []).map((s) => s.trim()).filter((s) => s !== '');
  if (components.length === 0) throw new ManifestError(`${where}.actions: must list the actions, e.g. "a, b"`);
  return {
    name: qualify(pkg, name),
    package: pkg,
    exec: { kind: 'sequence', components: components.map((c) => componentName(pkg, c)) },
    parameters: { ...inherited, ...resolveInputs(spec.inputs, `${where}.inputs`, ctx.env) },
    annotations: readAnnotations(spec, where),
    limits: {},
  };
}

function readTrigger(ctx: Ctx, where: string, name: string, spec: unknown): PlannedTrigger {
  if (!isDict(spec)) throw new ManifestError(`${where}: must be a map`);
  const annotations: Dict = { ...mapOf(spec.annotations, `${where}.annotations`) };
  const feed = spec.feed === undefined ? undefined : String(spec.feed);
  if (feed !== undefined) annotations.feed = feed;
  return { name, parameters: resolveInputs(spec.inputs, `${where}.inputs`, ctx.env), annotations, feed };
}

function readRule(where: string, pkg: string, name: string, spec: unknown): PlannedRule {
  if (!isDict(spec)) throw new ManifestError(`${where}: must be a map with "trigger" and "action"`);
  for (const key of ['trigger', 'action'] as const) {
    if (typeof spec[key] !== 'string' || (spec[key] as string).trim() === '') {
      throw new ManifestError(`${where}.${key}: required`);
    }
  }
  const action = (spec.action as string).trim();
  return {
    name,
    trigger: (spec.trigger as string).trim(),
    action: action.includes('/') ? action : qualify(pkg, action),
  };
}

/**
 * Rules and sequences that name an action of a package this manifest defines must name one it defines; other
 * references must already exist on the target.
 */
function checkReferences(ctx: Ctx, packages: Set<string>): void {
  const actions = new Set(ctx.plan.actions.map((a) => a.name));
  const ownPackage = (name: string): string => (name.includes('/') ? name.slice(0, name.indexOf('/')) : DEFAULT_PACKAGE);
  const check = (ref: string, who: string): void => {
    if (actions.has(ref)) return;
    if (!ref.startsWith('/') && packages.has(ownPackage(ref))) {
      throw new ManifestError(`${ctx.label}: ${who} names action "${ref}", which the manifest does not define`);
    }
    ctx.plan.warnings.push(`${who}: action "${ref}" is not in the manifest; it must already exist`);
  };
  const triggers = new Set(ctx.plan.triggers.map((t) => t.name));
  for (const rule of ctx.plan.rules) {
    if (!triggers.has(rule.trigger)) {
      ctx.plan.warnings.push(`rule ${rule.name}: trigger "${rule.trigger}" is not in the manifest; it must already exist`);
    }
    check(rule.action, `rule ${rule.name}`);
  }
  for (const seq of ctx.plan.actions) {
    if (!('components' in seq.exec)) continue;
    for (const c of seq.exec.components) check(c.startsWith('/_/') ? c.slice(3) : c, `sequence ${seq.name}`);
  }
}
