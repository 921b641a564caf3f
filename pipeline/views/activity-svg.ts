// A job's figures over time from its task bars: tasks finished per second (and MB/s for a job over data) and tasks
// running at once, as one small SVG chart each. Pure code, drawn by the dashboard in the browser and by the `status`
// action for `plot=activity`.
import type { Bar } from './job-activity.ts';
import { esc, n2, svgOpen, ticks } from './svg.ts';

export interface ActivitySeries {
  /** Each bucket's start, ms since the job's creation. */
  t: number[];
  bucketMs: number;
  /** Tasks that ended in the bucket, per second. */
  tasksPerS: number[];
  /** The most tasks running at once in the bucket. */
  busy: number[];
}

/** The series over [0, now] in `buckets` equal steps: one pass over the bars. */
export function activitySeries(bars: readonly Bar[], now: number, buckets = 60): ActivitySeries {
  let end = Math.max(1, now);
  for (const b of bars) if (b.end > end) end = b.end;
  const n = Math.max(1, buckets);
  const bucketMs = end / n;
  const at = (t: number) => Math.min(n - 1, Math.max(0, Math.floor(t / bucketMs)));
  const ended = new Array<number>(n).fill(0);
  const delta = new Array<number>(n + 1).fill(0);
  for (const b of bars) {
    if (b.kind !== 'running' && b.kind !== 'failed') ended[at(b.end)]!++;
    delta[at(b.begin)]!++;
    delta[at(b.end) + 1]!--;
  }
  const busy: number[] = [];
  let running = 0;
  for (let i = 0; i < n; i++) busy.push((running += delta[i]!));
  return {
    t: Array.from({ length: n }, (_, i) => i * bucketMs),
    bucketMs,
    tasksPerS: ended.map((c) => (c * 1000) / bucketMs),
    busy,
  };
}

export interface LineChartOptions {
  width?: number;
  height?: number;
  title: string;
  colour?: string;
  /** The series' id on the page. */
  id?: string;
}

const MARGIN = { left: 44, right: 12, top: 22, bottom: 22 };

/** One series as a filled step line over time (ms since creation), its axis in seconds. */
export function lineChartSvg(t: readonly number[], values: readonly number[], stepMs: number, options: LineChartOptions): string {
  const width = options.width ?? 440;
  const height = options.height ?? 150;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const tEnd = Math.max(1, (t[t.length - 1] ?? 0) + stepMs);
  let top = 0;
  for (const v of values) if (v > top) top = v;
  const yTicks = ticks(0, top > 0 ? top : 1, 3);
  const yMax = Math.max(yTicks[yTicks.length - 1] ?? 1, top, 1e-9);
  const x = (ms: number) => MARGIN.left + (ms / tEnd) * plotW;
  const y = (v: number) => MARGIN.top + plotH - (v / yMax) * plotH;
  const colour = options.colour ?? '#2563eb';
  const out: string[] = [svgOpen(width, height, options.title)];
  out.push(`<text x="4" y="14" font-weight="bold">${esc(options.title)}</text>`);
  let d = `M${n2(x(0))},${n2(y(0))}`;
  values.forEach((v, i) => (d += `L${n2(x(t[i]!))},${n2(y(v))}L${n2(x(t[i]! + stepMs))},${n2(y(v))}`));
  d += `L${n2(x(tEnd))},${n2(y(0))}Z`;
  out.push(`<path class="series"${options.id ? ` data-series="${esc(options.id)}"` : ''} d="${d}" fill="${colour}" fill-opacity="0.25" stroke="${colour}"/>`);
  const axisY = MARGIN.top + plotH;
  out.push(`<line x1="${MARGIN.left}" y1="${axisY}" x2="${width - MARGIN.right}" y2="${axisY}" stroke="#333"/>`);
  for (const v of yTicks) out.push(`<text x="${MARGIN.left - 4}" y="${n2(y(v) + 4)}" text-anchor="end">${n2(v)}</text>`);
  for (const s of ticks(0, tEnd / 1000, 4)) out.push(`<text x="${n2(x(s * 1000))}" y="${axisY + 14}" text-anchor="middle">${n2(s)} s</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/** The job's figures as one SVG: tasks per second (with MB/s when each task reads `bytesPerTask`) above tasks busy. */
export function activitySvg(bars: readonly Bar[], now: number, options: { title?: string; bytesPerTask?: number; width?: number } = {}): string {
  const s = activitySeries(bars, now);
  const width = options.width ?? 900;
  const mb = options.bytesPerTask ? ` (≈ ${n2(((options.bytesPerTask / 1e6) * s.tasksPerS.reduce((a, b) => Math.max(a, b), 0)))} MB/s at most)` : '';
  const rate = lineChartSvg(s.t, s.tasksPerS, s.bucketMs, { width, title: `tasks finished per second${mb}`, id: 'rate' });
  const busy = lineChartSvg(s.t, s.busy, s.bucketMs, { width, title: 'tasks running at once', colour: '#f59e0b', id: 'busy' });
  const title = options.title ?? 'activity';
  // Two charts stacked in one document: each keeps its own coordinates.
  return [
    svgOpen(width, 320, title),
    `<g transform="translate(0,0)">${rate.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '')}</g>`,
    `<g transform="translate(0,160)">${busy.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '')}</g>`,
    '</svg>',
  ].join('\n');
}
