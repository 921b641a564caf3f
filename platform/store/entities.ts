// The entities of every namespace, in memory, in OpenWhisk's JSON shapes.

export interface KeyValue {
  key: string;
  value: unknown;
  init?: boolean;
}

export interface CodeExec {
  kind: string;
  code: string;
  binary: boolean;
  main?: string;
  image?: string;
}

export interface SequenceExec {
  kind: 'sequence';
  components: string[]; // "/ns/name" or "/ns/pkg/name"
}

export type Exec = CodeExec | SequenceExec;

export interface EntityLimits {
  timeout: number;
  memory: number;
  logs: number;
  concurrency: number;
}

interface EntityBase {
  namespace: string; // "ns" or "ns/pkg"
  name: string;
  version: string;
  publish: boolean;
  annotations: KeyValue[];
  updated: number;
}

export interface ActionEntity extends EntityBase {
  exec: Exec;
  parameters: KeyValue[];
  limits: EntityLimits;
}

export interface PackageEntity extends EntityBase {
  binding: { namespace: string; name: string } | Record<string, never>;
  parameters: KeyValue[];
}

export interface EntityName {
  name: string;
  path: string;
}

export interface TriggerEntity extends EntityBase {
  parameters: KeyValue[];
  limits: Record<string, never>;
  rules?: Record<string, { action: EntityName; status: 'active' | 'inactive' }>;
}

export interface RuleEntity extends EntityBase {
  status: 'active' | 'inactive';
  trigger: EntityName;
  action: EntityName;
}

export function isSequence(exec: Exec): exec is SequenceExec {
  return exec.kind === 'sequence';
}

export function getAnnotation(list: KeyValue[] | undefined, key: string): unknown {
  return list?.find((a) => a.key === key)?.value;
}

/** OpenWhisk's `isTruthy`: present and not false, 0, "" or null. */
export function isTruthy(list: KeyValue[] | undefined, key: string): boolean {
  const v = getAnnotation(list, key);
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

export function paramsToObject(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of list ?? []) out[p.key] = p.value;
  return out;
}

/** Later lists override earlier ones key by key. */
export function mergeKeyValues(...lists: (KeyValue[] | undefined)[]): KeyValue[] {
  const map = new Map<string, KeyValue>();
  for (const list of lists) for (const kv of list ?? []) map.set(kv.key, kv);
  return [...map.values()];
}

export function bumpVersion(version: string): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((n) => Number(n) || 0);
  return `${major}.${minor}.${patch + 1}`;
}

/** One collection, keyed by "/ns/name" or "/ns/pkg/name". */
export class Collection<T extends EntityBase> {
  private readonly items = new Map<string, T>();

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  put(key: string, entity: T): void {
    this.items.delete(key);
    this.items.set(key, entity);
  }

  delete(key: string): T | undefined {
    const e = this.items.get(key);
    this.items.delete(key);
    return e;
  }

  /** Entities whose `namespace` is the namespace or one of its packages, most recently updated first. */
  inNamespace(namespace: string): T[] {
    const out: T[] = [];
    for (const e of this.items.values()) {
      if (e.namespace === namespace || e.namespace.startsWith(`${namespace}/`)) out.push(e);
    }
    return out.sort((a, b) => b.updated - a.updated);
  }

  inPath(path: string): T[] {
    return [...this.items.values()].filter((e) => e.namespace === path);
  }
}

export type CollectionName = 'actions' | 'packages' | 'triggers' | 'rules';

export class EntityStore {
  readonly actions = new Collection<ActionEntity>();
  readonly packages = new Collection<PackageEntity>();
  readonly triggers = new Collection<TriggerEntity>();
  readonly rules = new Collection<RuleEntity>();

  /** OpenWhisk keeps all entities of a namespace under one id space: a name belongs to one collection. */
  heldElsewhere(key: string, own: CollectionName): boolean {
    return (['actions', 'packages', 'triggers', 'rules'] as const).some((c) => c !== own && this[c].get(key) !== undefined);
  }
}
