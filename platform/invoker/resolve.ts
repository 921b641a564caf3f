// Finds the action a name refers to, through packages and bindings, with its parameters merged
// in OpenWhisk's order: package < binding < action.
import { type EntityRef, refKey } from '../names.ts';
import {
  type ActionEntity,
  type EntityStore,
  type KeyValue,
  isTruthy,
  mergeKeyValues,
  paramsToObject,
} from '../store/entities.ts';

export interface ResolvedAction {
  action: ActionEntity;
  /** Where the action lives (a binding resolved to its package). */
  ref: EntityRef;
  params: Record<string, unknown>;
  /** Parameters an invocation may not override (annotation `final`). */
  finalKeys: Set<string>;
  /** "ns/binding" when reached through a package binding. */
  binding?: string;
}

export function resolveAction(store: EntityStore, ref: EntityRef): ResolvedAction | undefined {
  if (!ref.pkg) {
    const action = store.actions.get(refKey(ref));
    return action && finish(action, ref, action.parameters);
  }
  const pkg = store.packages.get(`/${ref.namespace}/${ref.pkg}`);
  if (!pkg) return undefined;
  const b = pkg.binding as { namespace?: string; name?: string };
  if (b.namespace && b.name) {
    const target = store.packages.get(`/${b.namespace}/${b.name}`);
    if (!target) return undefined;
    const owner: EntityRef = { namespace: b.namespace, pkg: b.name, name: ref.name };
    const action = store.actions.get(refKey(owner));
    if (!action) return undefined;
    const merged = mergeKeyValues(target.parameters, pkg.parameters, action.parameters);
    return { ...finish(action, owner, merged), binding: `${ref.namespace}/${ref.pkg}` };
  }
  const action = store.actions.get(refKey(ref));
  return action && finish(action, ref, mergeKeyValues(pkg.parameters, action.parameters));
}

function finish(action: ActionEntity, ref: EntityRef, params: KeyValue[]): ResolvedAction {
  const values = paramsToObject(params);
  const finalKeys = new Set<string>();
  if (isTruthy(action.annotations, 'final')) {
    for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null) finalKeys.add(k);
  }
  return { action, ref, params: values, finalKeys };
}

/**
 * Whether `namespace` may read or invoke the entity at `ref`: its own, or an action of a package it may read
 * (OpenWhisk shares packages, never loose actions, triggers or rules, across namespaces).
 */
export function entitled(store: EntityStore, ref: EntityRef, namespace: string): boolean {
  if (!ref.pkg) return ref.namespace === namespace;
  return packageReadable(store, ref.namespace, ref.pkg, namespace);
}

/**
 * OpenWhisk's read right on a package (PackageCollection): a package is readable by its owner, and by everyone once
 * published; a binding only by its owner, and only while the package it binds is readable by that owner too. A
 * package that does not exist is its namespace owner's to be told so (404 later), anyone else's 403.
 */
export function packageReadable(store: EntityStore, ns: string, name: string, namespace: string, depth = 0): boolean {
  const owner = ns === namespace;
  const pkg = store.packages.get(`/${ns}/${name}`);
  if (!pkg) return owner;
  const b = pkg.binding as { namespace?: string; name?: string };
  if (!b.namespace || !b.name) return owner || pkg.publish;
  // Bindings of bindings are refused at creation; the depth guard keeps a hand-made loop from running on.
  if (!owner || depth > 0) return false;
  return packageReadable(store, b.namespace, b.name, namespace, depth + 1);
}
