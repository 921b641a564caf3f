// Deploy-time changes to a deployment plan: `--param` values, and per-action parameters and limits.
import { DEFAULT_PACKAGE, type DeploymentPlan, type Dict, type PlannedLimits } from './deployment.ts';

/**
 * `--param k=v` at deploy time: sets `k` on every package and on every action of the default package, and replaces
 * `k` wherever an action declares it, so the value wins over the manifest's.
 */
export function applyParamOverrides(plan: DeploymentPlan, params: Dict): void {
  for (const pkg of plan.packages) Object.assign(pkg.parameters, params);
  for (const action of plan.actions) {
    for (const [key, value] of Object.entries(params)) {
      if (action.package === DEFAULT_PACKAGE || key in action.parameters) action.parameters[key] = value;
    }
  }
}

export interface ActionOverrides {
  /** Default parameters per action name, merged over the action's. */
  params?: Record<string, Dict>;
  /** Limits per action name, merged over the action's. */
  limits?: Record<string, PlannedLimits>;
}

/** Throws when an override names an action the plan lacks: a misspelt name would otherwise change nothing. */
export function applyActionOverrides(plan: DeploymentPlan, overrides: ActionOverrides): void {
  const byName = new Map(plan.actions.map((a) => [a.name, a]));
  const find = (name: string) => {
    const action = byName.get(name);
    if (!action) throw new Error(`no action "${name}" in ${plan.manifestPath} to override`);
    return action;
  };
  for (const [name, params] of Object.entries(overrides.params ?? {})) Object.assign(find(name).parameters, params);
  for (const [name, limits] of Object.entries(overrides.limits ?? {})) Object.assign(find(name).limits, limits);
}
