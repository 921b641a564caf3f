// Names of the pipeline's entities. Actions call their siblings in the same package as themselves; kernel actions
// (in the kernels package, pipeline/kernel-actions/catalog.ts) call the pipeline's, which lives in the default package.
import { KERNEL_PACKAGE } from '../kernel-actions/catalog.ts';

export const DONE_TRIGGER = 'supercompute-done';
export const DONE_RULE = 'supercompute-done-reduce';

export type PipelineAction = 'supercompute' | 'split' | 'coordinate' | 'reduce' | 'status' | 'supervisor';

/** `name` in the package of the running action (from `__OW_ACTION_NAME`, "/ns/pkg/action" or "/ns/action"). */
export function sibling(name: PipelineAction): string {
  const self = process.env.__OW_ACTION_NAME ?? '';
  const parts = self.split('/').filter(Boolean);
  return parts.length === 3 && parts[1] !== KERNEL_PACKAGE ? `${parts[1]}/${name}` : name;
}

/** `/api/v1/web/NS/PKG|default/` of the running action, from `__OW_ACTION_NAME` ("/ns/action" or "/ns/pkg/action"). */
export function webBase(actionName: string, fallbackNamespace: string): string {
  const parts = actionName.split('/').filter(Boolean);
  const ns = parts[0] ?? fallbackNamespace;
  const pkg = parts.length === 3 ? parts[1] : 'default';
  return `/api/v1/web/${encodeURIComponent(ns)}/${encodeURIComponent(pkg!)}/`;
}
