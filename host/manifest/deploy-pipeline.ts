// The one way the pipeline gets deployed: read the manifest, apply deploy-time overrides, deploy the plan, then the
// built-in kernels (when the manifest has the kernels package). Used by
// `supercompute deploy`, `platform --deploy` and `demo`, the benchmarks and the tests alike.
import { resolve } from 'node:path';
import type openwhisk from 'openwhisk';
import type { DeploymentPlan, Dict, PlannedLimits } from './deployment.ts';
import { loadManifest } from './read.ts';
import { applyActionOverrides, applyParamOverrides } from './overrides.ts';
import { deploy, type DeployEvent } from './apply.ts';
import { defaultManifest, ensureBuilt } from '../bundling/ensure-built.ts';
import { deployBuiltinKernels, type DeployKernelOptions, type DeployedKernel } from '../kernels/deploy.ts';
import { KERNEL_PACKAGE } from '../../pipeline/kernel-actions/catalog.ts';

export interface DeployManifestOptions {
  /** The repo's manifest.yaml by default, whose actions are built first when they are missing. */
  manifest?: string;
  /** `--param` values, e.g. `{ redisUrl }`: see applyParamOverrides. */
  params?: Dict;
  /** Default parameters per action name, e.g. `{ supercompute: { retries: 0 } }`, merged over the action's after `params`. */
  actionParams?: Record<string, Dict>;
  /** Limits per action name, merged over the manifest's. */
  actionLimits?: Record<string, PlannedLimits>;
  /** Limits of the built-in kernels' actions, per role, over their defaults (host/kernels/deploy.ts). */
  kernelLimits?: DeployKernelOptions['limits'];
  /** The built-in kernels to deploy, by name (default: all of them). */
  builtinKernels?: readonly string[];
  log?: (line: string) => void;
  /** Where the manifest's warnings go; `log` when not given. */
  warn?: (line: string) => void;
}

export async function readDeployment(options: DeployManifestOptions = {}): Promise<DeploymentPlan> {
  const log = options.log ?? (() => {});
  const given = options.manifest ?? defaultManifest;
  if (resolve(given) === defaultManifest) await ensureBuilt(log);
  const plan = loadManifest(given);
  if (options.params && Object.keys(options.params).length > 0) applyParamOverrides(plan, options.params);
  applyActionOverrides(plan, { params: options.actionParams, limits: options.actionLimits });
  for (const w of plan.warnings) (options.warn ?? log)(`warning: ${w}`);
  return plan;
}

export async function deployManifest(
  client: openwhisk.Client,
  options: DeployManifestOptions = {},
): Promise<{ plan: DeploymentPlan; events: DeployEvent[]; kernels: DeployedKernel[] }> {
  const plan = await readDeployment(options);
  const events = await deploy(plan, client, (e) => options.log?.(`  ${e.kind} ${e.name}`));
  // The built-in kernels, through the same deploy as users' kernels, into the kernels package the manifest made.
  const kernels = plan.packages.some((p) => p.name === KERNEL_PACKAGE)
    ? await deployBuiltinKernels(client, { limits: options.kernelLimits, only: options.builtinKernels })
    : [];
  for (const k of kernels) options.log?.(`  kernel ${k.name}@${k.version}`);
  return { plan, events, kernels };
}
