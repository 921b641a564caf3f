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
 * Whether `namespace` may read or invoke the entity at `ref`: its own, or an action of a public package (OpenWhisk
 * shares packages, never loose actions, triggers or rules, across namespaces).
 */
export function entitled(store: EntityStore, ref: EntityRef, namespace: string): boolean {
  if (ref.namespace === namespace) return true;
  if (!ref.pkg) return false;
  return store.packages.get(`/${ref.namespace}/${ref.pkg}`)?.publish === true;
}
