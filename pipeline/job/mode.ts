// How a job's tasks run, said once and carried as is from every door to the job's meta: `pull`, W worker
// activations each claiming task after task from the job's queue; `push`, one activation per task, dispatched by the
// coordinator tree.
export const MODES = ['pull', 'push'] as const;

export type Mode = (typeof MODES)[number];

export function isMode(value: unknown): value is Mode {
  return value === 'pull' || value === 'push';
}

/** What a request asks of its mode: the mode and, in pull mode, the workers (absent: planned). */
export interface AskedMode {
  mode?: Mode;
  workers?: number;
}

/**
 * The mode and workers asked for, from a `mode` (absent, or pull or push) and a worker count. `workers: 0` is push mode,
 * as the API has always taken it; a mode that contradicts the workers is an error, answered as its message.
 */
export function askedMode(mode: unknown, workers: number | undefined): AskedMode | { error: string } {
  if (mode !== undefined && mode !== null && mode !== '' && !isMode(mode)) return { error: `'mode' must be pull or push, got ${JSON.stringify(mode)}` };
  const asked = isMode(mode) ? mode : undefined;
  if (workers === 0) return asked === 'pull' ? { error: "'mode' pull needs 'workers' of at least 1 (or none: planned)" } : { mode: 'push' };
  if (workers !== undefined && asked === 'push') return { error: `'mode' push runs one activation per task; 'workers' (${workers}) is for pull mode` };
  return { ...(asked ? { mode: asked } : {}), ...(workers !== undefined ? { workers } : {}) };
}
