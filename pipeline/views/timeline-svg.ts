// A job's timeline as SVG: one row per task, time across, each task drawn as up to three bars
// (queued → cold init → running).
import { esc, n2, svgOpen, ticks } from './svg.ts';

export interface TaskRecord {
  task: number;
  activationId: string;
  /** Container that ran the task; '' when the platform does not say. */
  container: string;
  cold: boolean;
  /** When the activation was requested (epoch ms). */
  queued: number;
  /** When it got a container (epoch ms); a cold start's init begins here. */
  start: number;
  end: number;
  /** Init time of a cold start, ms (OpenWhisk's `initTime` annotation). */
  initMs?: number;
}

export type Phase = 'queued' | 'cold-init' | 'running';

export const PHASE_COLOURS: Record<Phase, string> = {
  queued: '#cbd5e1',
  'cold-init': '#f59e0b',
  running: '#2563eb',
};

export interface TimelineOptions {
  width?: number;
  /** Plot height; rows share it (each at least 1 px, at most 14 px). */
  height?: number;
  title?: string;
  /** Time origin (epoch ms), e.g. the job's start; default the earliest `queued`. */
  origin?: number;
}

const MARGIN = { left: 60, right: 16, top: 34, bottom: 34 };

export function timelineSvg(records: readonly TaskRecord[], options: TimelineOptions = {}): string {
  const width = options.width ?? 900;
  const title = options.title ?? `${records.length} tasks`;
  const rows = [...records].sort((a, b) => a.task - b.task || a.queued - b.queued);
  const rowH = Math.max(1, Math.min(14, (options.height ?? 480) / Math.max(1, rows.length)));
  const plotH = rowH * rows.length;
  const height = MARGIN.top + plotH + MARGIN.bottom;
  const plotW = width - MARGIN.left - MARGIN.right;
  const t0 = options.origin ?? Math.min(...rows.map((r) => Math.min(r.queued, r.start)), Infinity);
  const t1 = Math.max(...rows.map((r) => r.end), t0 + 1);
  const x = (t: number) => MARGIN.left + ((t - t0) / (t1 - t0)) * plotW;

  const out: string[] = [svgOpen(width, height, title)];
  out.push(`<text x="${MARGIN.left}" y="14" font-weight="bold">${esc(title)}</text>`);
  let lx = width - MARGIN.right - 270;
  for (const phase of Object.keys(PHASE_COLOURS) as Phase[]) {
    out.push(`<rect class="legend" x="${lx}" y="5" width="10" height="10" fill="${PHASE_COLOURS[phase]}"/>`);
    out.push(`<text x="${lx + 14}" y="14">${phase}</text>`);
    lx += 90;
  }
  // Gap-free rows need a hair of overlap when they are thinner than a pixel.
  const barH = rowH >= 3 ? rowH - 1 : rowH;
  rows.forEach((r, i) => {
    const y = MARGIN.top + i * rowH;
    const initEnd = r.cold ? Math.min(r.end, r.start + Math.max(0, r.initMs ?? 0)) : r.start;
    const phases: Array<[Phase, number, number]> = [
      ['queued', r.queued, r.start],
      ['cold-init', r.start, initEnd],
      ['running', initEnd, r.end],
    ];
    for (const [phase, from, to] of phases) {
      if (!(to > from)) continue;
      out.push(
        `<rect class="bar" data-task="${r.task}" data-phase="${phase}" x="${n2(x(from))}" y="${n2(y)}" ` +
          `width="${n2(Math.max(0.5, x(to) - x(from)))}" height="${n2(barH)}" fill="${PHASE_COLOURS[phase]}">` +
          `<title>task ${r.task} ${phase} ${to - from} ms${r.container ? ` on ${esc(r.container)}` : ''} (${esc(r.activationId)})</title></rect>`,
      );
    }
  });
  const axisY = MARGIN.top + plotH;
  out.push(`<line x1="${MARGIN.left}" y1="${n2(axisY)}" x2="${width - MARGIN.right}" y2="${n2(axisY)}" stroke="#333"/>`);
  for (const t of ticks(0, t1 - t0)) {
    const tx = n2(x(t0 + t));
    out.push(`<line class="tick" x1="${tx}" y1="${n2(axisY)}" x2="${tx}" y2="${n2(axisY + 4)}" stroke="#333"/>`);
    out.push(`<text x="${tx}" y="${n2(axisY + 16)}" text-anchor="middle">${t / 1000} s</text>`);
  }
  out.push(`<text x="4" y="${n2(MARGIN.top + 10)}">task 0</text>`);
  if (rows.length > 1) out.push(`<text x="4" y="${n2(axisY)}">task ${rows[rows.length - 1]!.task}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
