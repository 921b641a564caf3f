// A histogram of durations (ms) as SVG: equal-width bins, one bar per bin with its count.
import { esc, n2, svgOpen, ticks } from './svg.ts';

export interface HistogramOptions {
  bins?: number;
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Equal-width bins over [min, max]; the last bin includes max. */
export function binValues(values: readonly number[], bins: number): Bin[] {
  if (values.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const n = hi > lo ? Math.max(1, Math.floor(bins)) : 1;
  const w = hi > lo ? (hi - lo) / n : 1;
  const out: Bin[] = Array.from({ length: n }, (_, i) => ({ from: lo + i * w, to: lo + (i + 1) * w, count: 0 }));
  for (const v of values) out[Math.min(n - 1, Math.floor((v - lo) / w))]!.count++;
  return out;
}

const MARGIN = { left: 50, right: 16, top: 30, bottom: 40 };

export function histogramSvg(values: readonly number[], options: HistogramOptions = {}): string {
  // As wide as the other plots (timeline, task stream): viewed alone, or beside them, it fills the same canvas.
  const width = options.width ?? 900;
  const height = options.height ?? 320;
  const title = options.title ?? `${values.length} durations`;
  const bins = binValues(values, options.bins ?? 30);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const lo = bins[0]?.from ?? 0;
  const hi = bins[bins.length - 1]?.to ?? 1;
  const x = (v: number) => MARGIN.left + ((v - lo) / (hi - lo)) * plotW;
  const y = (c: number) => MARGIN.top + plotH - (c / maxCount) * plotH;

  const out: string[] = [svgOpen(width, height, title)];
  out.push(`<text x="${MARGIN.left}" y="16" font-weight="bold">${esc(title)}</text>`);
  for (const b of bins) {
    if (b.count === 0) continue;
    const bx = x(b.from);
    const bw = Math.max(0.5, x(b.to) - bx - (plotW / bins.length > 3 ? 1 : 0));
    out.push(
      `<rect class="bar" data-from="${n2(b.from)}" data-to="${n2(b.to)}" data-count="${b.count}" x="${n2(bx)}" y="${n2(y(b.count))}" ` +
        `width="${n2(bw)}" height="${n2(y(0) - y(b.count))}" fill="#2563eb"><title>${n2(b.from)}–${n2(b.to)} ms: ${b.count}</title></rect>`,
    );
  }
  const axisY = MARGIN.top + plotH;
  out.push(`<line x1="${MARGIN.left}" y1="${axisY}" x2="${width - MARGIN.right}" y2="${axisY}" stroke="#333"/>`);
  out.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${axisY}" stroke="#333"/>`);
  for (const t of ticks(lo, hi)) {
    if (t < lo || t > hi) continue;
    out.push(`<text x="${n2(x(t))}" y="${axisY + 14}" text-anchor="middle">${n2(t)}</text>`);
  }
  for (const c of ticks(0, maxCount, 4)) {
    if (c !== Math.round(c)) continue;
    out.push(`<text x="${MARGIN.left - 4}" y="${n2(y(c) + 4)}" text-anchor="end">${c}</text>`);
  }
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 6}" text-anchor="middle">${esc(options.xLabel ?? 'duration (ms)')}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
