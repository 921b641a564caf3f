// Per-task records of a job from the platform's activation records, and figures derived from them.
import type { ActivationDoc } from './pipeline-env.ts';
import type { TaskRecord } from '../pipeline/views/timeline-svg.ts';
import { splitRange, type Range } from '../pipeline/dispatch/ranges.ts';

function annotation(doc: ActivationDoc, key: string): unknown {
  return doc.annotations?.find((a) => a.key === key)?.value;
}

/** The `work` activations of one job as timeline records (the first successful run of each task). */
export function taskRecords(docs: readonly ActivationDoc[], jobId: string): TaskRecord[] {
  const byTask = new Map<number, TaskRecord>();
  for (const d of docs) {
    const r = d.response.result;
    if (!r || r.jobId !== jobId || typeof r.index !== 'number' || r.error !== undefined) continue;
    const initTime = Number(annotation(d, 'initTime') ?? 0);
    const waitTime = Number(annotation(d, 'waitTime') ?? 0);
    const container = annotation(d, 'containerId');
    const rec: TaskRecord = {
      task: r.index,
      activationId: d.activationId,
      container: typeof container === 'string' ? container : '',
      cold: initTime > 0,
      initMs: initTime,
      queued: d.start - waitTime,
      start: d.start,
      end: d.end,
    };
    const prev = byTask.get(rec.task);
    if (!prev || rec.start < prev.start) byTask.set(rec.task, rec);
  }
  return [...byTask.values()].sort((a, b) => a.task - b.task);
}

/** Most tasks running (init included) at the same moment. */
export function maxOverlap(records: readonly TaskRecord[]): number {
  const events: Array<[number, number]> = [];
  for (const r of records) events.push([r.start, 1], [r.end, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

/** Levels of coordinators the pipeline's tree uses for `total` tasks (1 = the root invokes every task). */
export function fanoutDepth(total: number, fanout: number, leafSize: number): { depth: number; coordinators: number } {
  let coordinators = 0;
  const walk = (r: Range): number => {
    coordinators++;
    const parts = splitRange(r, fanout, leafSize);
    return parts.length === 1 ? 1 : 1 + Math.max(...parts.map(walk));
  };
  return { depth: walk({ from: 0, to: total }), coordinators };
}
