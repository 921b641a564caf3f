// Plots of a job's per-task records: the timeline (tasks × time, coloured by phase) and the histogram of run times.
// Served by the `status` action (`plot=timeline|histogram`) and written by `supercompute plot`.
import { histogramSvg } from './histogram-svg.ts';
import { timelineSvg } from './timeline-svg.ts';
import { runDurations, toTimelineRecord, type StoredTaskRecord } from '../store/task-records.ts';

export const PLOT_KINDS = ['timeline', 'histogram'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

/** Rows drawn at most: a timeline of every task of a large job would pass the 1 MB result limit. */
export const MAX_TIMELINE_ROWS = 1000;

export interface PlotJob {
  jobId: string;
  kernel: string;
  total: number;
  /** The job's start (epoch ms): the timeline's origin. */
  created: number;
}

export function isPlotKind(value: unknown): value is PlotKind {
  return typeof value === 'string' && (PLOT_KINDS as readonly string[]).includes(value);
}

/** Every k-th record, so that at most `max` remain (the first and, evenly, the rest). */
function sample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!);
}

export function jobPlot(kind: PlotKind, job: PlotJob, records: ReadonlyMap<number, StoredTaskRecord>): string {
  const sorted = [...records.entries()].sort((a, b) => a[0] - b[0]);
  const counted = `${sorted.length} of ${job.total} tasks done`;
  if (kind === 'histogram') {
    return histogramSvg(runDurations(sorted.map(([, r]) => r)), {
      title: `${job.kernel} job ${job.jobId}: run time per task, ${counted}`,
      xLabel: 'run time (ms)',
    });
  }
  const rows = sample(sorted, MAX_TIMELINE_ROWS).map(([task, r]) => toTimelineRecord(task, r));
  const shown = rows.length < sorted.length ? `, ${rows.length} shown` : '';
  return timelineSvg(rows, { origin: job.created, title: `${job.kernel} job ${job.jobId}: ${counted}${shown}` });
}
