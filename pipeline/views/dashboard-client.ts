/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard page's script (bundled for the browser: host/bundling/browser-bundle.ts). It polls the `status` web action
// with `view=1`, asking each time for the records of the tasks done since, and draws with the same code as the plots:
// the task stream, the figures over time, the run-time histogram; the grid of tasks on a canvas (no DOM node per
// task). A done job's result is shown as people read it: an image (inline, or put together from pieces of the stored
// one, so any size decodes), a table for `{columns, rows}` or a list of records, its scalar fields; JSON in a fold-out.
//
// Hooks for browser tests: #dashboard and #state carry data-state="running|done|failed|cancelled|error"; #dashboard
// data-updates (answers drawn), data-render-ms (the last update's own time) and data-lag-ms (median and most ms from a
// task's end to the page's knowing it, while the job runs); #done, #total, #rate, #eta, #elapsed,
// #result hold text; #grid (canvas) has data-done, data-running and data-source; #stream holds the task stream's SVG;
// #image gets data-state="done" once decoded; #table is the result's table; #failures lists failed tasks.
import { activitySeries, lineChartSvg } from './activity-svg.ts';
import { histogramSvg } from './histogram-svg.ts';
import { ActivityModel, formatRanges, type JobAbout, type JobActivityView } from './job-activity.ts';
import { streamTitle } from './job-plots.ts';
import { taskStreamSvg } from './task-stream-svg.ts';

interface Config {
  jobId: string;
  statusUrl: string;
  pngUrl: string;
  pollMs: number;
}

interface Status {
  jobId: string;
  state: string;
  done: number;
  total: number;
  kernel: string;
  result?: unknown;
  resultRef?: { $ref: string; bytes: number; image?: { $ref: string; bytes: number } };
  error?: string;
  timings?: { elapsedMs: number | null };
  retries?: { tasks: number; invocations: number; speculative: number; budget: number };
  doneTasks?: string;
  view?: JobActivityView;
}

/** The `records` parameter is kept short enough for any URL. */
const MAX_RANGES_CHARS = 1500;
const COLOURS = { done: '#16a34a', running: '#f59e0b', queued: '#e5e7eb', failed: '#dc2626' };

const cfg = JSON.parse(document.getElementById('config')!.textContent!) as Config;
const $ = (id: string) => document.getElementById(id)!;
const model = new ActivityModel();
const samples: Array<[number, number]> = [];
let delay = cfg.pollMs;
let about: JobAbout | undefined;
let resultShown = false;
let updates = 0;
let lastDrawAt = 0;
let drawCostMs = 0;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtSeconds(s: number): string {
  if (!isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

function shortValue(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function setState(s: string): void {
  $('dashboard').setAttribute('data-state', s);
  $('state').setAttribute('data-state', s);
  $('state').textContent = s;
}

function decodeBitmap(b64: string | undefined, total: number): Uint8Array | undefined {
  if (typeof b64 !== 'string') return undefined;
  const bin = atob(b64);
  const out = new Uint8Array(total);
  for (let i = 0; i < total; i++) {
    const byte = i >> 3;
    out[i] = byte < bin.length && (bin.charCodeAt(byte) >> (7 - (i & 7))) & 1 ? 1 : 0;
  }
  return out;
}

function showAbout(a: JobAbout): void {
  $('kernel').textContent = a.kernel;
  const params = a.params && typeof a.params === 'object' && !Array.isArray(a.params) ? Object.entries(a.params as Record<string, unknown>) : [['', a.params] as const];
  $('params').innerHTML = params.length === 0 ? '<li>none</li>' : params.map(([k, v]) => `<li>${k ? `<b>${esc(k)}</b> = ` : ''}<code>${esc(shortValue(v))}</code></li>`).join('');
  $('plan').textContent = `${a.total} tasks, ${a.mode === 'pull' ? `${a.workers} workers pulling from a queue (pull mode)` : 'one activation per task (push mode)'}`;
  $('plan-why').innerHTML = (a.planWhy.length ? a.planWhy : ['tasks and workers as asked']).map((w) => `<li>${esc(w)}</li>`).join('');
  if (a.input) {
    const i = a.input;
    $('input').textContent = `${i.sources.join(', ')}: ${i.objects} object${i.objects === 1 ? '' : 's'}, ${fmtBytes(i.bytes)}, about ${fmtBytes(i.bytesPerTask)} per task`;
    for (const el of document.querySelectorAll<HTMLElement>('.input')) el.hidden = false;
  }
}

function drawGrid(st: Status, done: Uint8Array | undefined): void {
  const canvas = $('grid') as HTMLCanvasElement;
  const total = Math.max(0, st.total | 0);
  const running = new Set(model.running.map((b) => b.task));
  const failed = new Set(model.failed.map((b) => b.task));
  const w = canvas.width;
  const h = canvas.height;
  let cell = Math.max(1, Math.floor(Math.sqrt((w * h) / Math.max(1, total))));
  while (cell > 1 && Math.ceil(total / Math.floor(w / cell)) * cell > h) cell--;
  const cols = Math.max(1, Math.floor(w / cell));
  const gap = cell >= 6 ? 1 : 0;
  const ctx = canvas.getContext('2d')!;
  let count = 0;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  for (let i = 0; i < total; i++) {
    const isDone = done ? done[i] === 1 : i < st.done;
    if (isDone) count++;
    ctx.fillStyle = isDone ? COLOURS.done : running.has(i) ? COLOURS.running : failed.has(i) ? COLOURS.failed : COLOURS.queued;
    ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - gap, cell - gap);
  }
  canvas.setAttribute('data-done', String(count));
  canvas.setAttribute('data-running', String(running.size));
  canvas.setAttribute('data-source', done ? 'bitmap' : 'count');
}

function drawFigures(st: Status, now: number): void {
  const bars = model.bars();
  const rowName = about?.mode === 'pull' ? 'worker' : 'container';
  $('stream').innerHTML = taskStreamSvg(bars, { now, rowName, width: 1100, title: streamTitle(st.kernel, st.jobId, bars, st.total) });
  const s = activitySeries(bars, now, 60);
  const perTask = about?.input?.bytesPerTask;
  const peak = s.tasksPerS.reduce((a, b) => Math.max(a, b), 0);
  const mb = perTask ? ` (≈ ${((peak * perTask) / 1e6).toFixed(1)} MB/s at most)` : '';
  $('rate-chart').innerHTML = lineChartSvg(s.t, s.tasksPerS, s.bucketMs, { width: 540, title: `tasks finished per second${mb}`, id: 'rate' });
  $('busy-chart').innerHTML = lineChartSvg(s.t, s.busy, s.bucketMs, { width: 540, title: 'tasks running at once', colour: '#f59e0b', id: 'busy' });
  const durations: number[] = [];
  for (const b of model.records.values()) durations.push(Math.max(0, b.end - b.start));
  $('histogram').innerHTML = histogramSvg(durations, { width: 540, height: 220, title: `run time per task (${durations.length} tasks)`, xLabel: 'run time (ms)' });
  const failed = model.failed;
  $('failures-section').hidden = failed.length === 0;
  $('failures').innerHTML = failed
    .map((b) => `<tr data-task="${b.task}"><td>${b.task}</td><td>${model.attempts.get(b.task) ?? 1}</td><td>${esc(b.message ?? '')}</td></tr>`)
    .join('');
  if (st.view && st.view.failedTasks > failed.length) $('failures-more').textContent = `… and ${st.view.failedTasks - failed.length} more tasks with failed attempts`;
}

/** How long after a task ended the page learnt of it (this machine's clock against the platform's). */
const lags: number[] = [];

function noteLags(view: JobActivityView): void {
  const wall = Date.now();
  for (const r of view.records) if (!model.records.has(r[0])) lags.push(wall - (view.about.created + r[4]));
  if (lags.length === 0) return;
  const sorted = [...lags].sort((a, b) => a - b);
  $('dashboard').setAttribute('data-lag-ms', `${Math.round(sorted[sorted.length >> 1]!)} ${Math.round(sorted[sorted.length - 1]!)}`);
}

function drawStages(view: JobActivityView): void {
  $('stages-section').hidden = view.stages.length === 0;
  $('stages').innerHTML = view.stages.map((s) => `<li>${esc(s.name)}: <progress value="${s.done}" max="${Math.max(1, s.total)}"></progress> ${s.done} / ${s.total}</li>`).join('');
}

function render(st: Status): void {
  const t0 = performance.now();
  const view = st.view;
  if (view) {
    if (!about) showAbout((about = view.about));
    if (st.state === 'running') noteLags(view);
    model.merge(view);
    drawStages(view);
  } else if (!about) $('kernel').textContent = st.kernel;
  const now = view ? view.now : Date.now();
  samples.push([now, st.done]);
  while (samples.length > 2 && now - samples[0]![0] > 5000) samples.shift();
  const first = samples[0]!;
  const rate = now > first[0] ? ((st.done - first[1]) * 1000) / (now - first[0]) : 0;
  const elapsedMs = st.timings?.elapsedMs ?? (view ? view.now : null);
  const overall = elapsedMs ? (st.done * 1000) / elapsedMs : 0;
  const shownRate = st.state === 'running' && rate > 0 ? rate : overall;
  $('done').textContent = String(st.done);
  $('total').textContent = String(st.total);
  const bar = $('progress') as HTMLProgressElement;
  bar.max = Math.max(1, st.total);
  bar.value = st.done;
  $('rate').textContent = shownRate > 0 ? `${shownRate.toFixed(1)} tasks/s` : st.state === 'running' ? 'measuring…' : '–';
  const perTask = about?.input?.bytesPerTask;
  for (const el of document.querySelectorAll<HTMLElement>('.mbps')) el.hidden = !perTask;
  if (perTask) $('mbps').textContent = shownRate > 0 ? `${fmtBytes(shownRate * perTask)}/s` : '–';
  // Before a few answers have come, the ETA goes by the rate since the job began.
  const etaRate = rate > 0 ? rate : overall;
  $('eta').textContent = st.state === 'running' ? (etaRate > 0 ? fmtSeconds((st.total - st.done) / etaRate) : 'measuring…') : 'ended';
  if (elapsedMs !== null) $('elapsed').textContent = fmtSeconds(elapsedMs / 1000);
  $('busy').textContent = String(model.running.length);
  const r = st.retries;
  $('retries').textContent = r ? `${r.tasks} task${r.tasks === 1 ? '' : 's'} run again (${r.invocations} of ${r.budget} re-invocations), ${r.speculative} speculative cop${r.speculative === 1 ? 'y' : 'ies'}` : '–';
  const done = decodeBitmap(st.doneTasks, Math.max(0, st.total | 0));
  drawGrid(st, done);
  // The drawings cost more with the job's size: on a large job they are redrawn less often, the grid every time.
  const wall = Date.now();
  if (st.state !== 'running' || wall - lastDrawAt >= Math.min(2000, drawCostMs * 4)) {
    const d0 = performance.now();
    drawFigures(st, now);
    drawCostMs = performance.now() - d0;
    lastDrawAt = wall;
  }
  if (st.state === 'done' && !resultShown) {
    resultShown = true;
    showResult(st);
  }
  if (st.state === 'failed') $('error').textContent = typeof st.error === 'string' ? st.error : JSON.stringify(st.error);
  setState(st.state);
  updates++;
  $('dashboard').setAttribute('data-updates', String(updates));
  $('dashboard').setAttribute('data-render-ms', (performance.now() - t0).toFixed(1));
  $('render-ms').textContent = `${(performance.now() - t0).toFixed(1)} ms`;
}

// --- the result ---

function isTable(v: unknown): v is { columns: string[]; rows: unknown[][] } {
  const t = v as { columns?: unknown; rows?: unknown };
  return !!v && typeof v === 'object' && Array.isArray(t.columns) && t.columns.every((c) => typeof c === 'string') && Array.isArray(t.rows) && t.rows.every(Array.isArray);
}

function isRecordList(v: unknown): v is Array<Record<string, unknown>> {
  return Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
}

const TABLE_ROWS = 100;

function tableHtml(columns: readonly string[], rows: readonly unknown[][], totalRows: number): string {
  const cell = (v: unknown) => `<td>${esc(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))}</td>`;
  const head = `<thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${rows.slice(0, TABLE_ROWS).map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody>`;
  const more = totalRows > TABLE_ROWS ? `<caption>first ${TABLE_ROWS} of ${totalRows} rows</caption>` : `<caption>${totalRows} row${totalRows === 1 ? '' : 's'}</caption>`;
  return `<table id="table" data-rows="${totalRows}">${more}${head}${body}</table>`;
}

function showImageFrom(src: string, img: HTMLImageElement): void {
  img.onload = () => {
    img.setAttribute('data-state', 'done');
    $('image-size').textContent = `${img.naturalWidth} × ${img.naturalHeight} px (click to ${img.classList.contains('fit') ? 'see at full size' : 'fit'})`;
  };
  img.onerror = () => img.setAttribute('data-state', 'error');
  img.hidden = false;
  img.src = src;
}

/** A stored image, put together from the pieces the status action serves (each under the 1 MB result limit). */
async function storedImage(): Promise<Blob> {
  const part = (n: number) =>
    fetch(`${cfg.pngUrl}&part=${n}`, { cache: 'no-store' }).then(async (res) => {
      if (!res.ok) throw new Error(`image part ${n}: status answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      return res;
    });
  const first = await part(0);
  const count = Number(first.headers.get('x-image-parts') ?? '1');
  const pieces = [await first.arrayBuffer()];
  for (let n = 1; n < count; n++) pieces.push(await (await part(n)).arrayBuffer());
  return new Blob(pieces, { type: 'image/png' });
}

function showResult(st: Status): void {
  const value = st.result;
  const json = $('result');
  const view = $('result-view');
  let shown: unknown = value !== undefined ? value : st.resultRef;
  const png = value && typeof value === 'object' && typeof (value as { png?: unknown }).png === 'string' ? (value as { png: string }).png : undefined;
  if (png) shown = { ...(value as object), png: `(${png.length} base64 characters)` };
  json.textContent = JSON.stringify(shown, null, 2);
  const img = $('image') as HTMLImageElement;
  if (png) showImageFrom(`data:image/png;base64,${png}`, img);
  else if (st.resultRef?.image) {
    $('image-size').textContent = `loading ${fmtBytes(st.resultRef.image.bytes)} from the object store…`;
    storedImage().then(
      (blob) => showImageFrom(URL.createObjectURL(blob), img),
      (err: Error) => {
        img.setAttribute('data-state', 'error');
        $('error').textContent = err.message;
      },
    );
  } else if (st.kernel === 'mandelbrot') showImageFrom(cfg.pngUrl, img);
  img.addEventListener('click', () => {
    img.classList.toggle('fit');
    $('image-size').textContent = `${img.naturalWidth} × ${img.naturalHeight} px (click to ${img.classList.contains('fit') ? 'see at full size' : 'fit'})`;
  });
  let html = '';
  if (isTable(value)) html = tableHtml(value.columns, value.rows, value.rows.length);
  else if (isRecordList(value)) {
    const columns = [...new Set(value.slice(0, TABLE_ROWS).flatMap((r) => Object.keys(r)))];
    html = tableHtml(columns, value.map((r) => columns.map((c) => r[c])), value.length);
  } else if (Array.isArray(value) && value.length > 0 && value.every(Array.isArray)) {
    const width = Math.max(...value.slice(0, TABLE_ROWS).map((r) => (r as unknown[]).length));
    html = tableHtml(Array.from({ length: width }, (_, i) => String(i)), value as unknown[][], value.length);
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const scalars = Object.entries(value as Record<string, unknown>).filter(([k, v]) => k !== 'png' && (v === null || typeof v !== 'object'));
    if (scalars.length) html = `<dl class="scalars">${scalars.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(shortValue(v))}</dd>`).join('')}</dl>`;
  } else if (Array.isArray(value)) html = `<p>${value.length} items: <code>${esc(shortValue(value.slice(0, 20)))}</code></p>`;
  else if (value !== undefined) html = `<p class="scalar">${esc(shortValue(value))}</p>`;
  if (st.resultRef && !st.resultRef.image) html += `<p>The result (${fmtBytes(st.resultRef.bytes)}) is kept in the object store at <code>${esc(st.resultRef.$ref)}</code>.</p>`;
  view.innerHTML = html;
  $('result-section').hidden = false;
}

// --- polling ---

/** The done tasks whose records the page has not got yet, as ranges short enough for a URL. */
function missingRecords(st: Status | undefined): string {
  if (!st) return '';
  const done = decodeBitmap(st.doneTasks, Math.max(0, st.total | 0));
  if (!done) return '';
  const missing: number[] = [];
  for (let i = 0; i < done.length; i++) if (done[i] && !model.records.has(i)) missing.push(i);
  let text = formatRanges(missing);
  if (text.length > MAX_RANGES_CHARS) text = text.slice(0, text.lastIndexOf(',', MAX_RANGES_CHARS));
  return text;
}

let last: Status | undefined;

function needsMore(st: Status): boolean {
  return st.state === 'running' || (st.view !== undefined && (st.view.recordsLeft > 0 || missingRecords(st) !== ''));
}

function poll(): void {
  const url = `${cfg.statusUrl}&view=1&records=${missingRecords(last)}`;
  fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' })
    .then((res) => res.json().then((body: Status & { error?: string }) => ({ ok: res.ok, status: res.status, body })))
    .then((r) => {
      if (!r.ok) throw new Error(`status answered ${r.status}: ${r.body?.error ?? ''}`);
      delay = cfg.pollMs;
      $('error').textContent = '';
      last = r.body;
      render(r.body);
      if (needsMore(r.body)) setTimeout(poll, cfg.pollMs);
    })
    .catch((err: Error) => {
      $('error').textContent = String(err?.message ?? err);
      delay = Math.min(5000, delay * 2);
      setTimeout(poll, delay);
    });
}

$('stream').addEventListener('mouseover', (e) => {
  const t = e.target as Element;
  const task = t.getAttribute?.('data-task');
  if (task === null || task === undefined) return;
  const bar = model.records.get(Number(task)) ?? model.bars().find((b) => b.task === Number(task));
  $('tip').textContent = `task ${task}: ${t.getAttribute('data-kind')}, ${t.getAttribute('data-ms')} ms${bar?.cold ? ', cold start' : ''}${bar?.message ? `: ${bar.message}` : ''}`;
});

poll();
