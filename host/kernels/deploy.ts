// Deploying, listing and removing kernels. A kernel version is actions in the kernels package (the package's
// parameters, redisUrl and ttlSeconds, are theirs): NAME@VERSION runs pull workers' tasks, NAME.push@VERSION push-mode
// tasks (CPU-bound kernels only; one that waits on I/O runs them on NAME@VERSION), NAME.control@VERSION answers plan,
// describe and reduce; the same code, VERSION a hash of it and its limits. The control action is created last and
// carries the deployed-at time, so a version is current only once both exist (pipeline/kernel-actions/catalog.ts). Running
// jobs keep the version they pinned; versions older than the job TTL are pruned on the next deploy.
import { HOST_RETRY } from '../target/target.ts';
import { createHash } from 'node:crypto';
import type openwhisk from 'openwhisk';
import type { PlannedLimits } from '../manifest/deployment.ts';
import {
  KERNEL_ANNOTATIONS,
  KERNEL_NAME,
  KERNEL_PACKAGE,
  currentVersions,
  kernelActionNames,
  kernelVersionActions,
  kernelVersions,
  listKernelActions,
  qualified,
  type KernelRole,
  type KernelVersion,
} from '../../pipeline/kernel-actions/catalog.ts';
import type { OwClient } from '../../pipeline/openwhisk/ow.ts';
import { describeOwError } from '../../pipeline/openwhisk/ow-error.ts';
import { buildKernel, type BuiltKernel } from './build.ts';
import { BUILTIN_KERNELS, builtinKernel } from './prebuilt.ts';

export class KernelDeployError extends Error {
  override readonly name = 'KernelDeployError';
  constructor(message: string, readonly statusCode = 400, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface DeployKernelOptions {
  /** Deploy under this name instead of the module's. */
  name?: string;
  /** Allow a name of a built-in kernel (replacing it). */
  force?: boolean;
  /** Mark it built-in (the deployment's own kernels). */
  builtin?: boolean;
  /** Limits over the defaults, per role. */
  limits?: { tasks?: PlannedLimits; push?: PlannedLimits; control?: PlannedLimits };
}

export interface DeployedKernel {
  name: string;
  version: string;
  /** Package-qualified: the tasks action, the push action (a CPU-bound kernel's), then the control action. */
  actions: string[];
  /** Package-qualified, by role (the push action is the tasks action for a kernel that waits on I/O). */
  tasksAction: string;
  pushAction: string;
  controlAction: string;
  deployedAt: number;
  /** Versions pruned (older than the job TTL). */
  pruned: string[];
}

const DEFAULT_TTL_SECONDS = 86_400;

/**
 * Pull workers: one per container for CPU-bound kernels, so W workers are W processes on W cores; many for ones that
 * wait. Push-mode tasks: up to 8 to a container, as OpenWhisk's nodejs runtime takes them.
 */
function limitsOf(built: BuiltKernel, o: DeployKernelOptions): Record<KernelRole, PlannedLimits> {
  // A kernel shipped as a zip carries a native engine (sql: DuckDB, ~70 MB of library resident once loaded), which
  // does not fit OpenWhisk's default 256 MB beside Node: its task actions get the largest default limit, 512 MB.
  const memory = built.binary ? 512 : 256;
  // A kernel that waits on I/O runs up to 8 pull workers in one container, each with up to `ioTasksPerWorker` tasks
  // in flight: 10,000 no-op tasks on 10 workers took a container past 256 MB (and the platform's memory limit then
  // ended it, as a cgroup would), so its tasks action gets 512 MB too.
  const tasksMemory = built.description.waitsOnIo ? 512 : memory;
  return {
    tasks: { timeout: 300_000, memory: tasksMemory, concurrency: built.description.waitsOnIo ? 8 : 1, ...o.limits?.tasks },
    push: { timeout: 300_000, memory, concurrency: 8, ...o.limits?.push },
    control: { timeout: 300_000, memory: 512, concurrency: 8, ...o.limits?.control },
  };
}

function kv(o: Record<string, unknown>): Array<{ key: string; value: unknown }> {
  return Object.entries(o).map(([key, value]) => ({ key, value }));
}

async function kernelPackage(ow: openwhisk.Client): Promise<{ ttlSeconds: number }> {
  let pkg: { parameters?: Array<{ key: string; value: unknown }> };
  try {
    pkg = (await ow.packages.get({ name: KERNEL_PACKAGE })) as typeof pkg;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new KernelDeployError(`package ${KERNEL_PACKAGE} does not exist on the target: deploy the pipeline first (supercompute deploy)`, 404);
    }
    throw new KernelDeployError(`reading package ${KERNEL_PACKAGE}: ${describeOwError(err)}`, 502, { cause: err });
  }
  const ttl = Number(pkg.parameters?.find((p) => p.key === 'ttlSeconds')?.value);
  return { ttlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : DEFAULT_TTL_SECONDS };
}

async function removeActions(ow: openwhisk.Client, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await ow.actions.delete({ name }).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    });
  }
}

/** Deploys a built kernel (deployKernel, and the built-in kernels, come here). */
export async function deployBuiltKernel(ow: openwhisk.Client, built: BuiltKernel, o: DeployKernelOptions = {}): Promise<DeployedKernel> {
  const name = o.name ?? built.description.name;
  if (!KERNEL_NAME.test(name)) throw new KernelDeployError(`kernel name ${JSON.stringify(name)} must match ${KERNEL_NAME} (lower case, digits, "-" and "_")`);
  if (!o.builtin && !o.force && Object.hasOwn(BUILTIN_KERNELS, name)) {
    throw new KernelDeployError(`kernel name '${name}' is a built-in kernel's; give another name (--name), or --force to replace it`, 409);
  }
  const { ttlSeconds } = await kernelPackage(ow);
  const limits = limitsOf(built, o);
  const version = createHash('sha256').update(built.code).update(JSON.stringify(limits)).digest('hex').slice(0, 10);
  const names = kernelActionNames(name, version);
  const d = built.description;
  const annotations = (role: KernelRole, deployedAt?: number) =>
    kv({
      [KERNEL_ANNOTATIONS.name]: name,
      [KERNEL_ANNOTATIONS.version]: version,
      [KERNEL_ANNOTATIONS.role]: role,
      ...(deployedAt !== undefined ? { [KERNEL_ANNOTATIONS.deployedAt]: deployedAt } : {}),
      [KERNEL_ANNOTATIONS.description]: d.description,
      [KERNEL_ANNOTATIONS.params]: d.params,
      [KERNEL_ANNOTATIONS.waitsOnIo]: d.waitsOnIo,
      [KERNEL_ANNOTATIONS.producesPng]: d.producesPng,
      ...(d.inputParam ? { [KERNEL_ANNOTATIONS.inputParam]: d.inputParam } : {}),
      [KERNEL_ANNOTATIONS.builtin]: o.builtin === true,
      'provide-api-key': true,
    });
  const create = (action: string, role: KernelRole, deployedAt?: number) =>
    ow.actions.create({
      name: qualified(action),
      overwrite: true,
      action: { exec: { kind: 'nodejs:20', code: built.code, ...(built.binary ? { binary: true, main: 'main' } : {}) }, limits: limits[role], annotations: annotations(role, deployedAt) } as unknown as openwhisk.Action,
    });
  const ownPush = !d.waitsOnIo;
  const actions = [qualified(names.tasks), ...(ownPush ? [qualified(names.push)] : []), qualified(names.control)];
  const deployedAt = Date.now();
  try {
    await create(names.tasks, 'tasks');
    if (ownPush) await create(names.push, 'push');
    await create(names.control, 'control', deployedAt);
  } catch (err) {
    // A version missing its control action is no version; take back what was made (unless it was there already).
    const current = currentVersions(kernelVersions(await listKernelActions(ow as unknown as OwClient, HOST_RETRY).catch(() => [])));
    if (current.get(name)?.version !== version) await removeActions(ow, [...actions].reverse()).catch(() => {});
    throw new KernelDeployError(`deploying kernel ${name}: ${describeOwError(err)}`, 502, { cause: err });
  }
  const pruned = await pruneVersions(ow, name, version, deployedAt - ttlSeconds * 1000);
  return { name, version, actions, ...kernelVersionActions(name, version, d.waitsOnIo), deployedAt, pruned };
}

/** Removes versions of `name` deployed before `before` (no running job can have pinned them), never `keep`. */
async function pruneVersions(ow: openwhisk.Client, name: string, keep: string, before: number): Promise<string[]> {
  const old = kernelVersions(await listKernelActions(ow as unknown as OwClient, HOST_RETRY)).filter((v) => v.name === name && v.version !== keep && v.deployedAt < before);
  for (const v of old) await removeActions(ow, [...new Set([v.controlAction, v.pushAction, v.tasksAction])]);
  return old.map((v) => v.version);
}

/** Bundles, checks and deploys the kernel module `file` (TypeScript or JavaScript, default export a kernel). */
export async function deployKernel(ow: openwhisk.Client, file: string, options: DeployKernelOptions = {}): Promise<DeployedKernel> {
  return deployBuiltKernel(ow, await buildKernel(file), options);
}

/** The built-in kernels, as `npm run build` built them, through the same deploy. */
export async function deployBuiltinKernels(ow: openwhisk.Client, options: Pick<DeployKernelOptions, 'limits'> & { only?: readonly string[] } = {}): Promise<DeployedKernel[]> {
  const names = Object.keys(BUILTIN_KERNELS).filter((name) => !options.only || options.only.includes(name));
  const built = await Promise.all(names.map((name) => builtinKernel(name)));
  return Promise.all(built.map((k) => deployBuiltKernel(ow, k, { ...options, builtin: true })));
}

export interface KernelListing extends KernelVersion {
  /** Versions of this kernel deployed (the current one and older ones running jobs may still use). */
  versions: number;
}

/** Every deployed kernel's current version, by name. */
export async function listKernels(ow: openwhisk.Client): Promise<KernelListing[]> {
  const all = kernelVersions(await listKernelActions(ow as unknown as OwClient, HOST_RETRY));
  return [...currentVersions(all).values()].map((v) => ({ ...v, versions: all.filter((a) => a.name === v.name).length }));
}

/** Removes every version of kernel `name` (jobs still running on it fail); a built-in one only with `force`. */
export async function removeKernel(ow: openwhisk.Client, name: string, options: { force?: boolean } = {}): Promise<{ name: string; removed: string[] }> {
  const actions = await listKernelActions(ow as unknown as OwClient, HOST_RETRY);
  const mine = actions.filter((a) => (a.annotations ?? []).some((kv) => kv.key === KERNEL_ANNOTATIONS.name && kv.value === name));
  if (mine.length === 0) throw new KernelDeployError(`no kernel '${name}' is deployed`, 404);
  const builtin = mine.some((a) => (a.annotations ?? []).some((kv) => kv.key === KERNEL_ANNOTATIONS.builtin && kv.value === true));
  if (builtin && !options.force) throw new KernelDeployError(`'${name}' is a built-in kernel; --force to remove it`, 409);
  // Control actions first: a version stops being one before its tasks action goes.
  const order = [...mine].sort((a, b) => Number(b.name.includes('.control@')) - Number(a.name.includes('.control@'))).map((a) => qualified(a.name));
  await removeActions(ow, order);
  return { name, removed: order };
}
