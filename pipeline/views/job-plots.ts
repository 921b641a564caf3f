// Plots of a job: the task stream (a row per worker or container, a bar per task, coloured by outcome), its figures
// over time (tasks per second, tasks running at once), the timeline (tasks × time, coloured by phase) and the histogram
// of run times. Served by the `status` action (`plot=KIND`) and written by `supercompute plot`; the dashboard draws the
// stream and the figures with the same functions in the browser.
import { activitySvg } from './activity-svg.ts';
import { histogramSvg } from './histogram-svg.ts';
import { ActivityModel, type Bar, type JobActivityView } from './job-activity.ts';
import { taskStreamSvg } from './task-stream-svg.ts';
import { timelineSvg } from './timeline-svg.ts';
import { runDurations, toTimelineRecord, type StoredTaskRecord } from '../store/task-records.ts';

export const PLOT_KINDS = ['timeline', 'histogram', 'stream', 'activity'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

/** Rows drawn at most: a timeline of every task of a large job would pass the 1 MB result limit. */
export const MAX_TIMELINE_ROWS = 1000;
/** Bars of the task stream drawn at most, for the same reason; below this many, each has its own tooltip. */
export const MAX_STREAM_BARS = 4000;
const MAX_TITLED_BARS = 1000;

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

/** Every k-th item, so that at most `max` remain (the first and, evenly, the rest). */
function sample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!);
}

/** The task stream's title: what the job is and how far it got. */
export function streamTitle(kernel: string, jobId: string, bars: readonly Bar[], total: number, shown = bars.length): string {
  const done = bars.filter((b) => b.kind !== 'running' && b.kind !== 'failed').length;
  return `${kernel} job ${jobId}: ${done} of ${total} tasks done${shown < bars.length ? `, ${shown} drawn` : ''}`;
}

export function jobPlot(kind: PlotKind, job: PlotJob, records: ReadonlyMap<number, StoredTaskRecord>, view: JobActivityView): string {
  const sorted = [...records.entries()].sort((a, b) => a[0] - b[0]);
  const counted = `${sorted.length} of ${job.total} tasks done`;
  if (kind === 'histogram') {
    return histogramSvg(runDurations(sorted.map(([, r]) => r)), {
      title: `${job.kernel} job ${job.jobId}: run time per task, ${counted}`,
      xLabel: 'run time (ms)',
    });
  }
  if (kind === 'stream' || kind === 'activity') {
    const model = new ActivityModel();
    model.merge(view);
    const bars = model.bars();
    if (kind === 'activity') return activitySvg(bars, view.now, { bytesPerTask: view.about.input?.bytesPerTask });
    const drawn = sample(bars, MAX_STREAM_BARS);
    return taskStreamSvg(drawn, {
      now: view.now,
      rowName: view.about.mode === 'pull' ? 'worker' : 'container',
      barTitles: drawn.length <= MAX_TITLED_BARS,
      title: streamTitle(job.kernel, job.jobId, bars, job.total, drawn.length),
    });
  }
  const rows = sample(sorted, MAX_TIMELINE_ROWS).map(([task, r]) => toTimelineRecord(task, r));
  const shown = rows.length < sorted.length ? `, ${rows.length} shown` : '';
  return timelineSvg(rows, { origin: job.created, title: `${job.kernel} job ${job.jobId}: ${counted}${shown}` });
}
