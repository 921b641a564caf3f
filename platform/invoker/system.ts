// Entities every OpenWhisk deployment has in its system namespace. Composer's fork/join continues through
// `/whisk.system/utils/echo` when its wait for the branches times out, so that action must exist.
import type { EntityStore } from '../store/entities.ts';

export const SYSTEM_NAMESPACE = 'whisk.system';

export function installSystemEntities(store: EntityStore): void {
  const now = Date.now();
  const base = { version: '0.0.1', publish: true, updated: now };
  store.packages.put(`/${SYSTEM_NAMESPACE}/utils`, {
    ...base,
    namespace: SYSTEM_NAMESPACE,
    name: 'utils',
    binding: {},
    parameters: [],
    annotations: [{ key: 'description', value: 'Building blocks that format and assemble data' }],
  });
  store.actions.put(`/${SYSTEM_NAMESPACE}/utils/echo`, {
    ...base,
    namespace: `${SYSTEM_NAMESPACE}/utils`,
    name: 'echo',
    exec: { kind: 'nodejs:20', code: 'function main(params) {\n  return params || {};\n}\n', binary: false },
    parameters: [],
    limits: { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 },
    annotations: [
      { key: 'description', value: 'Returns the input' },
      { key: 'exec', value: 'nodejs:20' },
    ],
  });
}
