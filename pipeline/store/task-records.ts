// Per-task records kept with a job: one per counted task, stored by `work` in the same step as its partial.
import type { TaskRecord } from '../views/timeline-svg.ts';

export interface StoredTaskRecord {
  /** The activation that computed the counted partial ('' when the platform did not say). */
  activationId: string;
  /** The process (container) that ran it. */
  container: string;
  /** The first activation its container ran. */
  cold: boolean;
  /** When the task was dispatched (epoch ms); absent when the caller did not pass it. */
  queued?: number;
  /** Cold runs: when the container's process started (epoch ms). */
  boot?: number;
  /** When `work` began (epoch ms). */
  start: number;
  /** When the partial was ready to store (epoch ms). */
  end: number;
}

export function parseTaskRecord(json: string): StoredTaskRecord | undefined {
  try {
    const r = JSON.parse(json) as Partial<StoredTaskRecord>;
    if (typeof r.start !== 'number' || typeof r.end !== 'number') return undefined;
    return {
      activationId: typeof r.activationId === 'string' ? r.activationId : '',
      container: typeof r.container === 'string' ? r.container : '',
      cold: r.cold === true,
      queued: typeof r.queued === 'number' ? r.queued : undefined,
      boot: typeof r.boot === 'number' ? r.boot : undefined,
      start: r.start,
      end: r.end,
    };
  } catch {
    return undefined;
  }
}

/**
 * The timeline's view: a cold run's container is taken to begin at its process start, but no earlier than the dispatch
 * (a pre-started container waited idle until then); clocks of different machines may disagree, so phases are clamped
 * to keep queued <= start <= end.
 */
export function toTimelineRecord(task: number, r: StoredTaskRecord): TaskRecord {
  const end = Math.max(r.start, r.end);
  let begin = r.start;
  if (r.cold && r.boot !== undefined) begin = Math.min(r.start, Math.max(r.boot, r.queued ?? r.boot));
  const queued = Math.min(r.queued ?? begin, begin);
  return {
    task,
    activationId: r.activationId,
    container: r.container,
    cold: r.cold,
    queued,
    start: begin,
    end,
    initMs: r.start - begin,
  };
}

/** Each task's run time (ms), cold start excluded. */
export function runDurations(records: readonly StoredTaskRecord[]): number[] {
  return records.map((r) => Math.max(0, r.end - r.start));
}
