// Small helpers shared by the SVG plots: escaping, number formatting, and "nice" axis ticks.

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinates with at most two decimals keep the SVG small and stable for tests. */
export function n2(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 6): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

export function svgOpen(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="11"><title>${esc(title)}</title>` +
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`
  );
}
