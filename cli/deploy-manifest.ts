// Reads the manifest, applies `--param` overrides and deploys it: shared by `deploy`, `platform --deploy` and `demo`.
import { resolve } from 'node:path';
import type openwhisk from 'openwhisk';
import { applyParamOverrides, deploy, loadManifest, type DeployEvent, type DeploymentPlan } from '../host/manifest.ts';
import { defaultManifest, ensureBuilt } from './build.ts';

export interface DeployManifestOptions {
  manifest?: string;
  params?: Record<string, unknown>;
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

export async function planManifest(options: DeployManifestOptions): Promise<DeploymentPlan> {
  const log = options.log ?? (() => {});
  const given = options.manifest ?? defaultManifest;
  if (resolve(given) === defaultManifest) await ensureBuilt(log);
  const plan = loadManifest(given);
  if (options.params && Object.keys(options.params).length > 0) applyParamOverrides(plan, options.params);
  for (const w of plan.warnings) (options.warn ?? log)(`warning: ${w}`);
  return plan;
}

export async function deployManifest(client: openwhisk.Client, options: DeployManifestOptions): Promise<{ plan: DeploymentPlan; events: DeployEvent[] }> {
  const plan = await planManifest(options);
  const events = await deploy(plan, client, (e) => options.log?.(`  ${e.kind} ${e.name}`));
  return { plan, events };
}

export function summarize(events: DeployEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ') || 'nothing';
}
