// The live dashboard in headless Chromium, against the embedded platform with a real object store (s3rver): the page
// served by the `dashboard` web action follows a job and shows what it is, its task stream and its result. Jobs: a
// small Mandelbrot followed to the end (its image pixel for pixel), a running job (running bars and cells), a failed
// job (its failed tasks listed), a 3072×2304 Mandelbrot whose 96 tasks make an image kept in the object store (over
// OpenWhisk's 1 MB result limit: the page puts it together from pieces and it decodes at its natural size), a result
// of the `{columns, rows}` shape (a table), and a 10,000-task job (no DOM node per task in the grid; the page's own
// time per update is logged). Screenshots go to build/screenshots/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DEFAULT_STALL_MS } from '../host/jobs/client.ts';
import { waitForProgress } from '../host/jobs/wait-for-progress.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(import.meta.dirname, '..', 'build', 'screenshots');
const AWS_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_ENDPOINT_URL'] as const;
const DONE_GREEN = [0x16, 0xa3, 0x4a];
const NOT_DONE_GREY = [0xe5, 0xe7, 0xeb];

let env: PipelineEnv;
let s3: S3Server;
let context: BrowserContext;
let dir = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard test needs Chromium (Debian: apt-get install chromium)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'sc-dashboard-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3') });
  const aws = Object.fromEntries(AWS_NAMES.map((name) => [name, s3.env[name]]));
  env = await startPipeline({ db: 8, deployParams: aws });
  context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1280, height: 1400 },
    deviceScaleFactor: 1,
  });
});

afterAll(async () => {
  await context?.close();
  await env?.stop();
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Rgb = readonly number[];

function pixelAt(png: PNG, x: number, y: number): Rgb {
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

const near = (a: Rgb, b: Rgb, tolerance: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);

async function open(jobId: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const res = await page.goto(`${env.web}/dashboard.html?jobId=${jobId}&pollMs=100`);
  expect(res?.status()).toBe(200);
  expect(await page.getAttribute('#dashboard', 'data-job-id')).toBe(jobId);
  return { page, errors };
}

/** Reads the page's hooks: state, tasks done (grid), running cells, bars in the stream, image state. */
async function look(page: Page) {
  return page.evaluate(() => {
    const at = (sel: string, attr: string) => document.querySelector(sel)?.getAttribute(attr) ?? null;
    return {
      state: at('#dashboard', 'data-state'),
      updates: Number(at('#dashboard', 'data-updates') ?? 0),
      done: Number(at('#grid', 'data-done') ?? 0),
      running: Number(at('#grid', 'data-running') ?? 0),
      // A bar per task: an element each, or (a large job) paths that say how many bars they draw.
      bars:
        document.querySelectorAll('#stream rect.bar').length +
        [...document.querySelectorAll('#stream path.bars')].reduce((n, p) => n + Number(p.getAttribute('data-tasks')), 0),
      runningBars: document.querySelectorAll('#stream rect.bar[data-kind=running]').length,
      image: at('#image', 'data-state'),
      renderMs: Number(at('#dashboard', 'data-render-ms') ?? 0),
    };
  });
}

type Look = Awaited<ReturnType<typeof look>>;

/** Follows the page until `finished` says so; fails only when the page stops moving for the job client's stall window. */
async function follow(page: Page, what: string, finished: (l: Look) => boolean): Promise<Look> {
  return waitForProgress(
    async () => {
      const l = await look(page);
      return { value: l, finished: finished(l), progress: `${l.state}/${l.done}/${l.bars}/${l.image}/${l.updates}` };
    },
    { what, pollMs: 50, stallMs: DEFAULT_STALL_MS },
  );
}

/** Ended, every done task's bar drawn, and a done job's image settled (decoded or not) when it has one. */
const settled = (withImage: boolean) => (l: Look) =>
  l.state !== 'running' && l.state !== null && (l.state !== 'done' || !withImage || l.image !== null) && l.bars >= l.done;

async function shoot(page: Page, name: string): Promise<PNG> {
  const bytes = await page.screenshot({ fullPage: true, path: join(SCREENSHOTS, `${name}.png`) });
  return PNG.sync.read(bytes);
}

describe('the dashboard in a browser', () => {
  it('follows a Mandelbrot job to the end: names it, draws every task, shows its image pixel for pixel', async () => {
    const params = { width: 320, height: 200, maxIter: 300 };
    const tasks = 24;
    const jobId = await env.submitAccepted({ kernel: 'mandelbrot', params, tasks });
    const { page, errors } = await open(jobId);
    const end = await follow(page, 'the dashboard', settled(true));
    expect(end).toMatchObject({ state: 'done', image: 'done', done: tasks, bars: tasks, running: 0 });
    expect(await page.textContent('#kernel')).toBe('mandelbrot');
    const params_ = await page.textContent('#params');
    for (const [k, v] of Object.entries(params)) expect(params_).toContain(`${k} = ${v}`);
    expect(await page.textContent('#plan')).toContain(`${tasks} tasks`);
    expect(await page.getAttribute('#grid', 'data-source')).toBe('bitmap');
    expect(await page.textContent('#done')).toBe(String(tasks));
    expect(await page.textContent('#elapsed')).toMatch(/^\d+(\.\d)? s$|min/);
    expect(await page.textContent('#rate')).toMatch(/tasks\/s$/);
    expect(await page.textContent('#error')).toBe('');
    expect(errors).toEqual([]);
    // Every task's bar, done-coloured; rows are containers (push mode).
    const kinds = await page.$$eval('#stream rect.bar', (rs) => rs.map((r) => r.getAttribute('data-kind')));
    expect(kinds.every((k) => k === 'done' || k === 'retried' || k === 'speculative')).toBe(true);
    const tasksDrawn = await page.$$eval('#stream rect.bar', (rs) => rs.map((r) => Number(r.getAttribute('data-task'))).sort((a, b) => a - b));
    expect(tasksDrawn).toEqual(Array.from({ length: tasks }, (_, i) => i));
    // The JSON is a fold-out, closed.
    expect(await page.getAttribute('#result-json', 'open')).toBeNull();

    const shot = await shoot(page, 'mandelbrot-done');
    const job = await env.waitForJob(jobId);
    const expected = PNG.sync.read(Buffer.from(job.result.png as string, 'base64'));
    const img = (await page.locator('#image').boundingBox())!;
    expect([Math.round(img.width), Math.round(img.height)]).toEqual([expected.width, expected.height]);
    let same = 0;
    const colours = new Set<string>();
    for (let y = 0; y < expected.height; y++) {
      for (let x = 0; x < expected.width; x++) {
        const seen = pixelAt(shot, Math.round(img.x) + x, Math.round(img.y) + y);
        colours.add(seen.join(','));
        if (near(seen, pixelAt(expected, x, y), 2)) same++;
      }
    }
    expect(colours.size).toBeGreaterThan(10);
    expect(same / (expected.width * expected.height)).toBeGreaterThan(0.99);

    // The grid: every task done-coloured, none left grey.
    const grid = (await page.locator('#grid').boundingBox())!;
    let green = 0;
    let grey = 0;
    for (let y = Math.ceil(grid.y) + 1; y < grid.y + grid.height - 1; y++) {
      for (let x = Math.ceil(grid.x) + 1; x < grid.x + grid.width - 1; x++) {
        const p = pixelAt(shot, x, y);
        if (near(p, DONE_GREEN, 3)) green++;
        else if (near(p, NOT_DONE_GREY, 3)) grey++;
      }
    }
    expect(grey).toBe(0);
    expect(green).toBeGreaterThan(tasks * 50);
    await page.close();
  });

  it('shows a running job: running tasks as bars and cells of their own, growing until the end', async () => {
    const tasks = 6;
    // Task 0 runs longest, so the others end while the job still runs.
    const jobId = await env.submitAccepted({ kernel: 'sleep', params: { ms: 1000, slowTask: 0, slowMs: 4000 }, tasks, workers: 2 });
    const { page, errors } = await open(jobId);
    // Seen while it runs: tasks running, drawn as running bars on worker rows, the grid's running cells.
    const running = await follow(page, 'the running job', (l) => l.state === 'running' && l.runningBars > 0 && l.running > 0);
    expect(running.running).toBeLessThanOrEqual(tasks);
    expect(await page.textContent('#plan')).toContain('2 workers');
    expect(await page.textContent('#elapsed')).not.toBe('–');
    expect(await page.$$eval('#stream text.row', (ts) => ts.map((t) => t.textContent))).toContain('worker 1');
    await shoot(page, 'sleep-running');
    // Each task's end shows on the page: the count of drawn bars only grows, to every task done.
    const end = await follow(page, 'the job to its end', settled(false));
    expect(end).toMatchObject({ state: 'done', done: tasks, bars: tasks, runningBars: 0 });
    console.log(`running job: ms from a task's end to the page showing it, median and most: ${await page.getAttribute('#dashboard', 'data-lag-ms')}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a cancelled job as cancelled', async () => {
    const jobId = await env.submitAccepted({ kernel: 'sleep', params: { ms: 60_000 }, tasks: 2, workers: 0 });
    const { page, errors } = await open(jobId);
    await follow(page, 'the running job', (l) => l.state === 'running' && l.updates > 0);
    expect((await env.jobs.cancel(jobId)).state).toBe('cancelled');
    const end = await follow(page, 'the cancelled job', (l) => l.state === 'cancelled');
    expect(end.state).toBe('cancelled');
    expect(await page.textContent('#kernel')).toBe('sleep');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a failed job with its failed task, attempts and message', async () => {
    const source = '(n) => { if (n === 3) throw new Error("three is not allowed"); return n * 2; }';
    const jobId = await env.submitAccepted({ kernel: 'map', params: { source, inputs: [0, 1, 2, 3, 4, 5] }, tasks: 6 });
    const { page, errors } = await open(jobId);
    const end = await follow(page, 'the failed job', (l) => l.state === 'failed');
    expect(end.state).toBe('failed');
    const row = await page.$$eval('#failures tr[data-task="3"] td', (tds) => tds.map((td) => td.textContent));
    expect(row[0]).toBe('3');
    expect(Number(row[1])).toBeGreaterThanOrEqual(1);
    expect(row[2]).toContain('three is not allowed');
    expect(await page.textContent('#error')).toContain('three is not allowed');
    expect(await page.getAttribute('#state', 'data-state')).toBe('failed');
    await shoot(page, 'map-failed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a 3072×2304 image kept in the object store at its natural size, and every one of its 96 tasks', async () => {
    const params = { width: 3072, height: 2304 };
    const tasks = 96;
    const jobId = await env.submitAccepted({ kernel: 'mandelbrot', params, tasks });
    const job = await env.waitForJob(jobId);
    expect(job.state, job.error).toBe('done');
    // Over OpenWhisk's 1 MB result limit: only in the object store, and too large for one answer of the status action.
    expect(job.resultRef?.image?.bytes).toBeGreaterThan(768 * 1024);
    expect((await fetch(`${env.web}/status.http?jobId=${jobId}&format=png`)).status).toBe(413);
    // In pieces, each an answer under the limit, it is the stored image byte for byte.
    const first = await fetch(`${env.web}/status.http?jobId=${jobId}&format=png&part=0`);
    expect(first.status).toBe(200);
    const parts = Number(first.headers.get('x-image-parts'));
    expect(parts).toBeGreaterThan(1);
    const pieces = [Buffer.from(await first.arrayBuffer())];
    for (let n = 1; n < parts; n++) pieces.push(Buffer.from(await (await fetch(`${env.web}/status.http?jobId=${jobId}&format=png&part=${n}`)).arrayBuffer()));
    for (const piece of pieces) expect(Math.ceil(piece.length / 3) * 4).toBeLessThan(1024 * 1024);
    const whole = Buffer.concat(pieces);
    expect(whole.length).toBe(job.resultRef.image.bytes);
    expect(PNG.sync.read(whole)).toMatchObject({ width: 3072, height: 2304 });
    expect((await fetch(`${env.web}/status.http?jobId=${jobId}&format=png&part=${parts}`)).status).toBe(416);
    expect((await fetch(`${env.web}/status.http?jobId=${jobId}&view=1&records=3-1`)).status).toBe(400);

    const { page, errors } = await open(jobId);
    const end = await follow(page, 'the dashboard', settled(true));
    expect(end).toMatchObject({ state: 'done', image: 'done', done: tasks, bars: tasks });
    const natural = await page.$eval('#image', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    expect(natural).toEqual([3072, 2304]);
    expect(await page.textContent('#kernel')).toBe('mandelbrot');
    const shown = await page.textContent('#params');
    expect(shown).toContain('width = 3072');
    expect(shown).toContain('height = 2304');
    // The task stream is an SVG with a bar for every task.
    const drawn = await page.$$eval('#stream svg rect.bar', (rs) => new Set(rs.map((r) => r.getAttribute('data-task'))).size);
    expect(drawn).toBe(tasks);
    expect(errors).toEqual([]);
    // Shown fitted to the page; a click shows it at full size.
    const fitted = (await page.locator('#image').boundingBox())!;
    expect(fitted.width).toBeLessThan(3072);
    await shoot(page, 'mandelbrot-stored-image');
    await page.close();
  });

  it('shows a `{columns, rows}` result as a table, its JSON folded', async () => {
    const source = '(n) => [n, n * n, "row " + n]';
    const reduceSource = '(rows) => ({ columns: ["n", "square", "label"], rows })';
    const jobId = await env.submitAccepted({ kernel: 'map', params: { source, reduceSource, inputs: [1, 2, 3, 4] }, tasks: 2 });
    const { page, errors } = await open(jobId);
    await follow(page, 'the dashboard', settled(false));
    expect(await page.getAttribute('#dashboard', 'data-state')).toBe('done');
    expect(await page.$$eval('#table th', (ths) => ths.map((th) => th.textContent))).toEqual(['n', 'square', 'label']);
    const rows = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([1, 2, 3, 4].map((n) => [String(n), String(n * n), `row ${n}`]));
    expect(await page.isVisible('#result')).toBe(false);
    expect(await page.isVisible('#image')).toBe(false);
    await shoot(page, 'map-table');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('names the data input of a job (objects, bytes, bytes per task) and its MB/s', async () => {
    const client = await createS3Client(readS3Settings(s3.env));
    await client.send(new CreateBucketCommand({ Bucket: 'dashboard-data' }));
    const text = Array.from({ length: 4000 }, (_, i) => `line ${i} of the words the dashboard counts`).join('\n') + '\n';
    await client.send(new PutObjectCommand({ Bucket: 'dashboard-data', Key: 'words.txt', Body: text }));
    const jobId = await env.submitAccepted({ kernel: 'wordcount', params: { top: 5 }, input: 's3://dashboard-data/words.txt', chunkSize: '32KiB' });
    const { page, errors } = await open(jobId);
    const end = await follow(page, 'the dashboard', settled(false));
    expect(end.state).toBe('done');
    const input = await page.textContent('#input');
    expect(input).toContain('s3://dashboard-data/words.txt: 1 object');
    expect(input).toContain(`${Math.round(text.length / 1000)} KB`);
    expect(input).toMatch(/about 3\d(\.\d)? KB per task/);
    expect(await page.isVisible('#mbps')).toBe(true);
    expect(await page.textContent('#mbps')).toMatch(/^[\d.]+ [KMG]?B\/s$/);
    // A result with no image shows none (no broken image).
    expect(await page.isVisible('#image')).toBe(false);
    await shoot(page, 'wordcount-input');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a 10,000-task job to a canvas for its grid and a bar per task, the status answer under 1 MB', async () => {
    const tasks = 10_000;
    const jobId = await env.submitAccepted({ kernel: 'sleep', params: { ms: 0 }, tasks, workers: 4 });
    const { page, errors } = await open(jobId);
    const renderMs: number[] = [];
    const end = await waitForProgress(
      async () => {
        const l = await look(page);
        if (l.renderMs > 0) renderMs.push(l.renderMs);
        return { value: l, finished: settled(false)(l), progress: `${l.state}/${l.done}/${l.bars}/${l.updates}` };
      },
      { what: 'the 10,000-task dashboard', pollMs: 100, stallMs: DEFAULT_STALL_MS },
    );
    expect(end).toMatchObject({ state: 'done', done: tasks, bars: tasks });
    // No DOM node per task in the grid: it is one canvas.
    expect(await page.$eval('#grid', (c) => [c.tagName, c.childElementCount])).toEqual(['CANVAS', 0]);
    // The stream: a bar per task, drawn as a path per row and outcome on a bounded number of rows, so far fewer
    // elements than tasks.
    const streamNodes = await page.$$eval('#stream svg *', (all) => all.length);
    expect(streamNodes).toBeLessThan(tasks / 10);
    // The status answer with every record asked for stays within OpenWhisk's 1 MB result limit.
    const res = await fetch(`${env.web}/status.http?jobId=${jobId}&view=1&records=0-${tasks - 1}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text.length).toBeLessThan(1024 * 1024);
    const view = (JSON.parse(text) as { view: { records: unknown[]; recordsLeft: number } }).view;
    expect(view.records.length + view.recordsLeft).toBe(tasks);
    renderMs.sort((a, b) => a - b);
    console.log(`10,000-task dashboard: ${renderMs.length} updates seen; page time per update median ${renderMs[renderMs.length >> 1]} ms, max ${renderMs[renderMs.length - 1]} ms; status answer ${text.length} bytes`);
    await shoot(page, 'sleep-10000');
    expect(errors).toEqual([]);
    await page.close();
  });
});
