// What a manifest deploys, as the reader produces it and the deployer applies it.

export type Dict = Record<string, unknown>;

/** The package name wskdeploy reserves for entities that belong to no package. */
export const DEFAULT_PACKAGE = 'default';

export interface PlannedPackage {
  name: string;
  parameters: Dict;
  annotations: Dict;
  publish: boolean;
}

export type ActionSource =
  | { type: 'file'; path: string } // plain source file, sent as text
  | { type: 'zip'; path: string } // zip archive, sent as base64
  | { type: 'dir'; path: string } // directory, zipped at deploy time
  | { type: 'inline'; code: string };

export type PlannedExec =
  | { kind: 'sequence'; components: string[] }
  | { kind: 'blackbox'; image: string; main?: string; source?: ActionSource }
  | { kind: string; main?: string; source: ActionSource };

export interface PlannedLimits {
  timeout?: number;
  memory?: number;
  logs?: number;
  concurrency?: number;
}

export interface PlannedAction {
  /** "name" for the default package, else "package/name". */
  name: string;
  package: string;
  exec: PlannedExec;
  parameters: Dict;
  annotations: Dict;
  limits: PlannedLimits;
}

export interface PlannedTrigger {
  name: string;
  parameters: Dict;
  annotations: Dict;
  feed?: string;
}

export interface PlannedRule {
  name: string;
  trigger: string;
  /** Relative ("name", "package/name") or fully qualified ("/ns/package/name"). */
  action: string;
}

export interface DeploymentPlan {
  manifestPath: string;
  project?: string;
  /** Packages to create; the default package is never created. */
  packages: PlannedPackage[];
  /** Code actions first, then sequences, so components exist when a sequence is created. */
  actions: PlannedAction[];
  triggers: PlannedTrigger[];
  rules: PlannedRule[];
  /** Things that were read but are not deployed (unknown keys, apis, dependencies). */
  warnings: string[];
}
