// The live dashboard in headless Chromium: a Mandelbrot job runs on the embedded platform, the page served by the
// `dashboard` web action follows it to the end, and a screenshot shows the finished state (every task done-coloured,
// the job's image on the page).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { DEFAULT_STALL_MS } from '../host/jobs/client.ts';
import { waitForProgress } from '../host/wait-for-progress.ts';

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
const DONE_GREEN = [0x16, 0xa3, 0x4a];
const NOT_DONE_GREY = [0xe5, 0xe7, 0xeb];

let env: PipelineEnv;
let context: BrowserContext;
let userDataDir = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard test needs Chromium (Debian: apt-get install chromium)`);
  }
  userDataDir = mkdtempSync(join(tmpdir(), 'sc-chromium-'));
  env = await startPipeline({ db: 8 });
  context = await chromium.launchPersistentContext(userDataDir, {
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
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

type Rgb = readonly number[];

function pixelAt(png: PNG, x: number, y: number): Rgb {
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

const near = (a: Rgb, b: Rgb, tolerance: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);

/**
 * Follows the page until it shows the job ended and, for a done job, its image settled (loaded or not). It fails only
 * when the page stops moving (state, tasks done, image) for the job client's stall window.
 */
async function pageSettled(page: Page): Promise<void> {
  await waitForProgress(
    async () => {
      const [state, done, image] = await Promise.all([
        page.getAttribute('#dashboard', 'data-state'),
        page.getAttribute('#grid', 'data-done'),
        page.getAttribute('#image', 'data-state'),
      ]);
      const finished = state !== 'running' && (state !== 'done' || image !== null);
      return { value: { state, done, image }, finished, progress: `${state}/${done}/${image}` };
    },
    { what: 'the dashboard', pollMs: 100, stallMs: DEFAULT_STALL_MS },
  );
}

describe('the dashboard in a browser', () => {
  it('follows a Mandelbrot job to the end and shows its image', async () => {
    const params = { width: 320, height: 200, maxIter: 300 };
    const tasks = 24;
    const { status, body } = await env.submit({ kernel: 'mandelbrot', params, tasks });
    expect(status, JSON.stringify(body)).toBe(200);
    const jobId = body.jobId as string;

    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const res = await page.goto(`${env.web}/dashboard.html?jobId=${jobId}&pollMs=100`);
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute('#dashboard', 'data-job-id')).toBe(jobId);

    await pageSettled(page);
    expect(await page.getAttribute('#state', 'data-state')).toBe('done');
    expect(await page.getAttribute('#image', 'data-state')).toBe('done');
    expect(await page.getAttribute('#grid', 'data-done')).toBe(String(tasks));
    expect(await page.getAttribute('#grid', 'data-source')).toBe('bitmap');
    expect(await page.textContent('#done')).toBe(String(tasks));
    expect(await page.textContent('#error')).toBe('');
    expect(errors).toEqual([]);

    const shot = PNG.sync.read(await page.screenshot({ fullPage: true }));
    const job = await env.waitForJob(jobId);
    const expected = PNG.sync.read(Buffer.from(job.result.png as string, 'base64'));

    // The image on the page is the job's picture, pixel for pixel (at its natural size).
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
});
