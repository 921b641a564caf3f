// Deployed kernels as the platform lists them: each version of a kernel is actions in the kernels package, one running
// its pull workers' tasks, one its push-mode tasks (the same action for a kernel that waits on I/O) and one answering
// control calls (plan, describe, reduce), described by their annotations. A
// kernel's current version is its latest complete deployment; a job pins the version it started with.
import type { InputParam } from '../../kernels/types.ts';
import { HttpError } from '../openwhisk/http.ts';
import type { OwClient } from '../openwhisk/ow.ts';
import { type RetryOptions, withRetry } from '../openwhisk/ow.ts';

/** The package every kernel action lives in; its parameters (redisUrl, ttlSeconds) are every kernel action's. */
export const KERNEL_PACKAGE = 'supercompute-kernels';

/** Annotation keys on kernel actions. */
export const KERNEL_ANNOTATIONS = {
  name: 'supercompute-kernel',
  version: 'supercompute-kernel-version',
  role: 'supercompute-kernel-role',
  deployedAt: 'supercompute-kernel-deployed-at',
  description: 'description',
  params: 'supercompute-kernel-params',
  waitsOnIo: 'supercompute-kernel-waits-on-io',
  producesPng: 'supercompute-kernel-produces-png',
  inputParam: 'supercompute-kernel-input-param',
  builtin: 'supercompute-kernel-builtin',
} as const;

/**
 * `tasks`: pull workers (one per container for a CPU-bound kernel, so W workers are W processes); `push`: one task per
 * activation, several to a container as OpenWhisk's intra-container concurrency allows, so a push job of many small
 * tasks does not start a container for each (only a CPU-bound kernel has its own); `control`: plan, describe, reduce.
 */
export type KernelRole = 'tasks' | 'push' | 'control';

/** A kernel's name: what `kernel deploy --name` and a module's `name` may be. */
export const KERNEL_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** The action names (in the kernels package) of version `version` of kernel `name`. */
export function kernelActionNames(name: string, version: string): Record<KernelRole, string> {
  return { tasks: `${name}@${version}`, push: `${name}.push@${version}`, control: `${name}.control@${version}` };
}

/** A version's package-qualified actions, by what they run. */
export type KernelVersionActions = Pick<KernelVersion, 'tasksAction' | 'pushAction' | 'controlAction'>;

/** A kernel that waits on I/O runs push tasks on its tasks action. */
export function kernelVersionActions(name: string, version: string, waitsOnIo: boolean): KernelVersionActions {
  const names = kernelActionNames(name, version);
  return { tasksAction: qualified(names.tasks), pushAction: qualified(waitsOnIo ? names.tasks : names.push), controlAction: qualified(names.control) };
}

/** Package-qualified, as a job's meta stores it and invokes it. */
export function qualified(action: string): string {
  return `${KERNEL_PACKAGE}/${action}`;
}

export interface KernelVersion {
  name: string;
  version: string;
  /** Epoch ms; set on the control action, which is created last: a version without it is not complete. */
  deployedAt: number;
  description: string;
  params: Record<string, string>;
  waitsOnIo: boolean;
  producesPng: boolean;
  /** Its param that names the job's input, if any. */
  inputParam?: InputParam;
  builtin: boolean;
  /** Package-qualified action names. */
  tasksAction: string;
  /** Push mode's tasks; the tasks action itself for a kernel that waits on I/O. */
  pushAction: string;
  controlAction: string;
}

interface ListedAction {
  name: string;
  annotations?: Array<{ key: string; value: unknown }>;
}

function annotationsOf(a: ListedAction): Map<string, unknown> {
  return new Map((a.annotations ?? []).map((kv) => [kv.key, kv.value]));
}

/** Every complete version (all its actions listed, the control one with its deployed-at) among a package's actions. */
export function kernelVersions(actions: readonly ListedAction[]): KernelVersion[] {
  const names = new Set(actions.map((a) => a.name));
  const out: KernelVersion[] = [];
  for (const a of actions) {
    const ann = annotationsOf(a);
    if (ann.get(KERNEL_ANNOTATIONS.role) !== 'control') continue;
    const name = ann.get(KERNEL_ANNOTATIONS.name);
    const version = ann.get(KERNEL_ANNOTATIONS.version);
    const deployedAt = Number(ann.get(KERNEL_ANNOTATIONS.deployedAt));
    if (typeof name !== 'string' || typeof version !== 'string' || !Number.isFinite(deployedAt) || deployedAt <= 0) continue;
    const actionNames = kernelActionNames(name, version);
    if (a.name !== actionNames.control || !names.has(actionNames.tasks)) continue;
    const waitsOnIo = ann.get(KERNEL_ANNOTATIONS.waitsOnIo) === true;
    if (!waitsOnIo && !names.has(actionNames.push)) continue;
    const params = ann.get(KERNEL_ANNOTATIONS.params);
    out.push({
      name,
      version,
      deployedAt,
      description: String(ann.get(KERNEL_ANNOTATIONS.description) ?? ''),
      params: params && typeof params === 'object' ? (params as Record<string, string>) : {},
      waitsOnIo,
      producesPng: ann.get(KERNEL_ANNOTATIONS.producesPng) === true,
      ...inputParamOf(ann.get(KERNEL_ANNOTATIONS.inputParam)),
      builtin: ann.get(KERNEL_ANNOTATIONS.builtin) === true,
      ...kernelVersionActions(name, version, waitsOnIo),
    });
  }
  return out;
}

/** Each kernel's current version: the latest deployed. */
export function currentVersions(versions: readonly KernelVersion[]): Map<string, KernelVersion> {
  const current = new Map<string, KernelVersion>();
  for (const v of versions) {
    const seen = current.get(v.name);
    if (!seen || v.deployedAt > seen.deployedAt || (v.deployedAt === seen.deployedAt && v.version > seen.version)) current.set(v.name, v);
  }
  return new Map([...current.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** The input-param annotation, when it is one. */
function inputParamOf(value: unknown): { inputParam?: InputParam } {
  const v = value as { param?: unknown; instead?: unknown } | null | undefined;
  if (!v || typeof v !== 'object' || typeof v.param !== 'string') return {};
  const instead = Array.isArray(v.instead) ? v.instead.filter((f): f is string => typeof f === 'string') : [];
  return { inputParam: { param: v.param, instead } };
}

/** The kernels package's actions with their annotations; none when the package does not exist. */
export async function listKernelActions(ow: OwClient, retry: Partial<RetryOptions> = {}): Promise<ListedAction[]> {
  try {
    const pkg = await withRetry(`get package ${KERNEL_PACKAGE}`, () => ow.packages.get({ name: KERNEL_PACKAGE }), { deadline: Date.now() + 10_000, ...retry });
    return ((pkg as { actions?: ListedAction[] }).actions ?? []) as ListedAction[];
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return [];
    throw err;
  }
}

/** The current version of kernel `name`; an unknown (or missing) name is the caller's mistake (400), listing the known. */
export async function resolveKernel(ow: OwClient, name: unknown, retry: Partial<RetryOptions> = {}): Promise<KernelVersion> {
  const current = currentVersions(kernelVersions(await listKernelActions(ow, retry)));
  const known = current.size > 0 ? `one of: ${[...current.keys()].join(', ')}` : 'no kernels are deployed here: deploy them with `supercompute deploy`';
  if (typeof name !== 'string' || name.trim() === '') throw new HttpError(400, `missing parameter 'kernel' (${known})`);
  const v = current.get(name);
  if (!v) throw new HttpError(400, `unknown kernel '${name.slice(0, 100)}' (${known})`);
  return v;
}
