// Entity names and paths as OpenWhisk validates and resolves them.
import { badRequest } from './errors.ts';
import { Messages } from './messages.ts';

const ENTITY_NAME = /^([\w]|[\w][\w@ .-]*[\w@.-]+)$/;
const MAX_NAME = 256;

export function validName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME && ENTITY_NAME.test(name);
}

export function checkName(name: string): string {
  if (!validName(name)) throw badRequest(Messages.entityNameIllegal);
  return name;
}

/** A resolved reference to an entity: namespace, optional package, name. */
export interface EntityRef {
  namespace: string;
  pkg?: string;
  name: string;
}

export function refPath(ref: EntityRef): string {
  return ref.pkg ? `${ref.namespace}/${ref.pkg}` : ref.namespace;
}

/** "ns/pkg/name" or "ns/name", without the leading slash, as OpenWhisk writes `path` annotations. */
export function refFqn(ref: EntityRef): string {
  return `${refPath(ref)}/${ref.name}`;
}

export function refKey(ref: EntityRef): string {
  return `/${refFqn(ref)}`;
}

/** The name after a collection in a URL: "name" or "pkg/name" (the slash possibly encoded). */
export function parseEntityId(namespace: string, raw: string, allowPackage: boolean): EntityRef {
  const id = safeDecode(raw);
  const parts = id.split('/');
  if (parts.length === 1) return { namespace, name: checkName(parts[0]) };
  if (parts.length === 2 && allowPackage) return { namespace, pkg: checkName(parts[0]), name: checkName(parts[1]) };
  throw badRequest(Messages.entityNameIllegal);
}

/**
 * A name as it appears in a body (sequence components, rules, conductor results):
 * "/ns/name", "/ns/pkg/name", "pkg/name", "name"; "_" is the caller's namespace.
 * Returns undefined when it cannot be parsed.
 */
export function resolveName(name: string, defaultNamespace: string): EntityRef | undefined {
  if (typeof name !== 'string' || name.length === 0) return undefined;
  const absolute = name.startsWith('/');
  const parts = (absolute ? name.slice(1) : name).split('/');
  let ref: EntityRef;
  if (absolute) {
    if (parts.length === 2) ref = { namespace: parts[0], name: parts[1] };
    else if (parts.length === 3) ref = { namespace: parts[0], pkg: parts[1], name: parts[2] };
    else return undefined;
  } else {
    if (parts.length === 1) ref = { namespace: defaultNamespace, name: parts[0] };
    else if (parts.length === 2) ref = { namespace: defaultNamespace, pkg: parts[0], name: parts[1] };
    else if (parts.length === 3) ref = { namespace: parts[0], pkg: parts[1], name: parts[2] };
    else return undefined;
  }
  if (ref.namespace === '_') ref.namespace = defaultNamespace;
  if (!validName(ref.namespace) || !validName(ref.name) || (ref.pkg !== undefined && !validName(ref.pkg))) return undefined;
  return ref;
}

export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(Messages.entityNameIllegal);
  }
}
