// The task stream, as in Dask's dashboard: rows per worker (pull mode) or container (push mode), one for each task it ran
// at once, time across, a bar per task from its start to its end coloured by outcome, a cold start's container boot drawn grey before it. Bars
// whose row is not known yet (push mode's running tasks: the container comes with the task's record) share rows of
// their own below. Pure code: the dashboard's bundle draws it in the browser, the `status` action for `plot=stream`.
import { BAR_COLOURS, COLD_COLOUR, type Bar, type BarKind } from './job-activity.ts';
import { esc, n2, svgOpen, ticks } from './svg.ts';

export interface TaskStreamOptions {
  width?: number;
  /** Height the rows share (each 2 to 16 px). */
  height?: number;
  title?: string;
  /** The axis' end, ms since the job's creation (the platform's "now" while it runs). */
  now?: number;
  /** What a row is: `worker` (pull) or `container` (push). */
  rowName?: string;
  /** Add a `<title>` to each bar (files); the page shows its own tooltip from the data attributes instead. */
  barTitles?: boolean;
  /** Past this many bars, each row's bars of one outcome are drawn as one path (default MAX_BAR_ELEMENTS). */
  maxBarElements?: number;
}

/**
 * Bars drawn as an element each up to this many: past it a large job's stream would cost the page a node per task, so
 * each row draws its bars of one outcome as one path (`data-tasks` says how many), the same picture.
 */
export const MAX_BAR_ELEMENTS = 2000;

/** A row's bars as one path per outcome, and its cold starts as one more. */
function compactRow(row: Row, y: number, barH: number, x: (t: number) => number): string[] {
  const paths = new Map<string, { d: string[]; n: number }>();
  const add = (key: string, from: number, to: number, min: number) => {
    let p = paths.get(key);
    if (!p) paths.set(key, (p = { d: [], n: 0 }));
    p.d.push(`M${n2(x(from))} ${n2(y)}h${n2(Math.max(min, x(to) - x(from)))}v${n2(barH)}H${n2(x(from))}z`);
    p.n++;
  };
  for (const b of row.bars) {
    if (b.cold && b.start > b.begin) add('cold', b.begin, b.start, 0.5);
    add(b.kind, b.start, b.end, 1);
  }
  return [...paths].map(([key, p]) =>
    key === 'cold'
      ? `<path class="cold" data-tasks="${p.n}" d="${p.d.join('')}" fill="${COLD_COLOUR}"/>`
      : `<path class="bars" data-kind="${key}" data-tasks="${p.n}" d="${p.d.join('')}" fill="${BAR_COLOURS[key as BarKind]}"/>`,
  );
}

interface Row {
  /** The lane's name on its first row, '' on the others. */
  label: string;
  bars: Bar[];
  /** Where the row's last bar ends, for packing. */
  free: number;
}

const MARGIN = { left: 96, right: 16, top: 34, bottom: 30 };

const LEGEND: Array<[string, string]> = [
  ...(Object.entries(BAR_COLOURS) as Array<[BarKind, string]>).map(([kind, colour]): [string, string] => [kind, colour]),
  ['cold start', COLD_COLOUR],
];

/**
 * Bars packed onto rows where they do not overlap: a row per task a lane ran at once. Each bar goes to the row free
 * soonest (a min-heap of the rows by when they are free), so packing a large job stays O(n log rows).
 */
function pack(bars: readonly Bar[], label: (i: number, bar: Bar) => string): Row[] {
  const rows: Row[] = [];
  const heap: Row[] = [];
  const swap = (a: number, b: number) => ([heap[a], heap[b]] = [heap[b]!, heap[a]!]);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l]!.free < heap[m]!.free) m = l;
      if (r < heap.length && heap[r]!.free < heap[m]!.free) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  const up = (i: number) => {
    while (i > 0 && heap[i]!.free < heap[(i - 1) >> 1]!.free) {
      swap(i, (i - 1) >> 1);
      i = (i - 1) >> 1;
    }
  };
  for (const bar of [...bars].sort((a, b) => a.begin - b.begin || a.task - b.task)) {
    const soonest = heap[0];
    if (soonest && soonest.free <= bar.begin) {
      soonest.bars.push(bar);
      soonest.free = Math.max(soonest.free, bar.end);
      down(0);
      continue;
    }
    const row: Row = { label: label(rows.length, bar), bars: [bar], free: bar.end };
    rows.push(row);
    heap.push(row);
    up(heap.length - 1);
  }
  return rows;
}

/** Rows drawn at most: past it, each lane's rows are folded onto fewer, bars overlapping (a row of 2 px at least). */
export const MAX_ROWS = 180;

/** A lane's rows folded onto `cap` rows: row k's bars go to row k % cap. */
function fold(rows: Row[], cap: number): Row[] {
  if (rows.length <= cap) return rows;
  const kept = rows.slice(0, cap);
  rows.slice(cap).forEach((row, i) => kept[(cap + i) % cap]!.bars.push(...row.bars));
  return kept;
}

/**
 * Lanes in order of their first bar, each on as many rows as it ran tasks at once (a container may run several), the
 * first row named; bars without a lane packed onto rows of their own below. At most `maxRows` rows (unless there are
 * more lanes): the lanes that ran the most tasks at once have them folded onto fewer rows.
 */
export function streamRows(bars: readonly Bar[], rowName = 'container', maxRows = MAX_ROWS): Row[] {
  const byLane = new Map<string, Bar[]>();
  const loose: Bar[] = [];
  for (const bar of bars) {
    if (bar.lane === '') {
      loose.push(bar);
      continue;
    }
    let lane = byLane.get(bar.lane);
    if (!lane) byLane.set(bar.lane, (lane = []));
    lane.push(bar);
  }
  const first = (lane: Bar[]) => lane.reduce((m, b) => Math.min(m, b.begin), Infinity);
  const lanes = [...byLane.entries()].sort((a, b) => first(a[1]) - first(b[1]) || (a[0] < b[0] ? -1 : 1));
  const groups = lanes.map(([, lane], i) => pack(lane, (k) => (k === 0 ? `${rowName} ${i + 1}` : '')));
  if (loose.length > 0) groups.push(pack(loose, (k, bar) => (k === 0 ? (bar.kind === 'failed' ? 'failed' : 'starting') : '')));
  const count = groups.reduce((n, g) => n + g.length, 0);
  if (count <= maxRows) return groups.flat();
  // The most rows any one lane keeps: the largest that fits them all (a lane with fewer keeps its own).
  let cap = 1;
  for (let lo = 1, hi = maxRows; lo <= hi; ) {
    const mid = (lo + hi) >> 1;
    if (groups.reduce((n, g) => n + Math.min(g.length, mid), 0) <= maxRows) (cap = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return groups.flatMap((g) => fold(g, cap));
}

/** Rows from row `i` (a lane's first) to the next lane's first. */
function laneHeight(rows: readonly Row[], i: number): number {
  let n = 1;
  while (i + n < rows.length && !rows[i + n]!.label) n++;
  return n;
}

export function taskStreamSvg(bars: readonly Bar[], options: TaskStreamOptions = {}): string {
  const width = options.width ?? 900;
  const rows = streamRows(bars, options.rowName);
  const rowH = Math.max(2, Math.min(16, (options.height ?? 360) / Math.max(1, rows.length)));
  const plotH = rowH * Math.max(1, rows.length);
  const height = MARGIN.top + plotH + MARGIN.bottom;
  const plotW = width - MARGIN.left - MARGIN.right;
  let t1 = Math.max(1, options.now ?? 0);
  for (const b of bars) if (b.end > t1) t1 = b.end;
  const x = (t: number) => MARGIN.left + (Math.max(0, t) / t1) * plotW;
  const title = options.title ?? `${bars.length} tasks on ${rows.length} rows`;

  const out: string[] = [svgOpen(width, height, title)];
  out.push(`<text x="4" y="14" font-weight="bold">${esc(title)}</text>`);
  let lx = width - MARGIN.right - LEGEND.length * 84;
  for (const [name, colour] of LEGEND) {
    out.push(`<rect class="legend" x="${lx}" y="20" width="10" height="10" fill="${colour}"/><text x="${lx + 13}" y="29">${name}</text>`);
    lx += 84;
  }
  const barH = rowH >= 4 ? rowH - 1 : rowH;
  const compact = bars.length > (options.maxBarElements ?? MAX_BAR_ELEMENTS);
  rows.forEach((row, i) => {
    const y = MARGIN.top + i * rowH;
    // A lane's name by its first row, when the lane is tall enough for a line of text.
    if (row.label && laneHeight(rows, i) * rowH >= 9) out.push(`<text class="row" x="${MARGIN.left - 4}" y="${n2(y + Math.max(rowH, 11) - 3)}" text-anchor="end">${esc(row.label)}</text>`);
    if (compact) {
      out.push(...compactRow(row, y, barH, x));
      return;
    }
    for (const b of row.bars) {
      if (b.cold && b.start > b.begin) {
        out.push(`<rect class="cold" x="${n2(x(b.begin))}" y="${n2(y)}" width="${n2(Math.max(0.5, x(b.start) - x(b.begin)))}" height="${n2(barH)}" fill="${COLD_COLOUR}"/>`);
      }
      const tip = options.barTitles
        ? `<title>task ${b.task} ${b.kind} ${Math.round(b.end - b.start)} ms${b.cold ? ' (cold start)' : ''}${b.message ? `: ${esc(b.message)}` : ''}</title>`
        : '';
      out.push(
        `<rect class="bar" data-task="${b.task}" data-kind="${b.kind}" data-ms="${Math.round(b.end - b.start)}" x="${n2(x(b.start))}" y="${n2(y)}" ` +
          `width="${n2(Math.max(1, x(b.end) - x(b.start)))}" height="${n2(barH)}" fill="${BAR_COLOURS[b.kind]}"${tip ? `>${tip}</rect>` : '/>'}`,
      );
    }
  });
  const axisY = MARGIN.top + plotH;
  out.push(`<line x1="${MARGIN.left}" y1="${n2(axisY)}" x2="${width - MARGIN.right}" y2="${n2(axisY)}" stroke="#333"/>`);
  for (const t of ticks(0, t1 / 1000)) {
    const tx = n2(x(t * 1000));
    out.push(`<line x1="${tx}" y1="${n2(axisY)}" x2="${tx}" y2="${n2(axisY + 4)}" stroke="#333"/><text x="${tx}" y="${n2(axisY + 16)}" text-anchor="middle">${n2(t)} s</text>`);
  }
  if (rows.length === 0) out.push(`<text x="${MARGIN.left + 8}" y="${MARGIN.top + 12}" fill="#64748b">no task has started yet</text>`);
  out.push('</svg>');
  return out.join('\n');
}
