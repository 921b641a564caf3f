// Runs the dashboard's inline script in a VM against a minimal DOM and a scripted status endpoint.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { dashboardHtml, defaultPngUrl } from '../pipeline/views/dashboard-html.ts';
import { statusUrlFor } from '../actions/dashboard.ts';

interface FakeElement {
  id: string;
  textContent: string;
  attrs: Record<string, string>;
  hidden?: boolean;
  src?: string;
  value?: number;
  max?: number;
  width: number;
  height: number;
  onload?: () => void;
  setAttribute(k: string, v: string): void;
  getAttribute(k: string): string | undefined;
  getContext(): unknown;
}

function fakePage(html: string, statuses: Array<Record<string, unknown>>) {
  const elements = new Map<string, FakeElement>();
  for (const m of html.matchAll(/<(\w+)[^>]*\sid="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    const el: FakeElement = {
      id: m[2]!,
      textContent: '',
      attrs: {},
      width: Number(/width="(\d+)"/.exec(tag)?.[1] ?? 0),
      height: Number(/height="(\d+)"/.exec(tag)?.[1] ?? 0),
      setAttribute(k, v) { this.attrs[k] = v; },
      getAttribute(k) { return this.attrs[k]; },
      getContext: () => ({ fillStyle: '', fillRect() {} }),
    };
    elements.set(el.id, el);
  }
  elements.get('config')!.textContent = /<script type="application\/json" id="config">([^<]*)<\/script>/.exec(html)![1]!;
  const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
  const timers: Array<() => void> = [];
  const fetched: string[] = [];
  let i = 0;
  const context = {
    document: { getElementById: (id: string) => elements.get(id) ?? null },
    fetch: (url: string) => {
      fetched.push(url);
      const body = statuses[Math.min(i++, statuses.length - 1)]!;
      return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(body) });
    },
    setTimeout: (fn: () => void) => timers.push(fn),
    atob: (s: string) => Buffer.from(s, 'base64').toString('latin1'),
    Date, JSON, Math, Uint8Array, Object, String, Error, isFinite,
  };
  runInNewContext(script, context);
  // The page's fetches answer at once: every promise they start has settled by the next turn of the event loop.
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    el: (id: string) => elements.get(id)!,
    fetched,
    /** Lets the pending poll answer; after the first, fires the next scheduled poll first. */
    async step() {
      const t = timers.shift();
      t?.();
      await settle();
    },
  };
}

describe('dashboardHtml', () => {
  const statusUrl = 'http://h/api/v1/web/guest/default/status.http?jobId=j1';

  it('escapes the job id and keeps the config unable to close its script', () => {
    const html = dashboardHtml({ jobId: '</script><b>', statusUrl });
    expect(html).not.toContain('</script><b>');
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;');
    expect(defaultPngUrl(statusUrl)).toBe('http://h/api/v1/web/guest/default/status.http?jobId=j1&format=png');
  });

  it('fills the grid from the done bitmap, then shows the result and the image when done', async () => {
    // 10 tasks; tasks 0, 1 and 9 done: bits 7,6 of byte 0 and bit 6 of byte 1 (Redis SETBIT order)
    const partial = Buffer.from([0b1100_0000, 0b0100_0000]).toString('base64');
    const all = Buffer.from([0xff, 0xc0]).toString('base64');
    const page = fakePage(dashboardHtml({ jobId: 'j1', statusUrl }), [
      { jobId: 'j1', state: 'running', done: 3, total: 10, kernel: 'mandelbrot', doneTasks: partial },
      { jobId: 'j1', state: 'done', done: 10, total: 10, kernel: 'mandelbrot', doneTasks: all, result: { width: 4 }, timings: { elapsedMs: 1500 } },
    ]);
    await page.step();
    expect(page.el('dashboard').attrs['data-state']).toBe('running');
    expect(page.el('grid').attrs['data-done']).toBe('3');
    expect(page.el('grid').attrs['data-source']).toBe('bitmap');
    expect(page.el('done').textContent).toBe('3');
    expect(page.el('total').textContent).toBe('10');
    await page.step();
    expect(page.fetched).toEqual([statusUrl, statusUrl]);
    expect(page.el('dashboard').attrs['data-state']).toBe('done');
    expect(page.el('state').attrs['data-state']).toBe('done');
    expect(page.el('grid').attrs['data-done']).toBe('10');
    expect(JSON.parse(page.el('result').textContent)).toEqual({ width: 4 });
    expect(page.el('elapsed').textContent).toBe('1.5 s');
    const img = page.el('image');
    expect(img.hidden).toBe(false);
    expect(img.src).toBe(defaultPngUrl(statusUrl));
    img.onload?.();
    expect(img.attrs['data-state']).toBe('done');
  });

  it('counts from `done` without a bitmap and reports a failed job', async () => {
    const page = fakePage(dashboardHtml({ jobId: 'j2', statusUrl }), [
      { jobId: 'j2', state: 'failed', done: 4, total: 6, kernel: 'primes', error: 'task 4 failed' },
    ]);
    await page.step();
    expect(page.el('grid').attrs['data-done']).toBe('4');
    expect(page.el('grid').attrs['data-source']).toBe('count');
    expect(page.el('dashboard').attrs['data-state']).toBe('failed');
    expect(page.el('error').textContent).toBe('task 4 failed');
    expect(page.el('image').hidden).not.toBe(false);
  });
});

describe("the dashboard action's status URL", () => {
  const page = 'https://whisk.example/prefix/api/v1/web/guest/default/dashboard.html?jobId=j1';

  it('is relative to the page, whatever Host header the request came with', () => {
    const params = { __ow_method: 'get', __ow_path: '', __ow_headers: { host: 'evil.example', 'x-forwarded-proto': 'http' } };
    const url = statusUrlFor(params, 'j1');
    expect(url).toBe('status.http?jobId=j1');
    expect(new URL(url, page).href).toBe('https://whisk.example/prefix/api/v1/web/guest/default/status.http?jobId=j1');
  });

  it('climbs back over a path after the action', () => {
    const url = statusUrlFor({ __ow_path: '/a/b' }, 'j 1');
    expect(new URL(url, 'http://h/api/v1/web/guest/default/dashboard.html/a/b?jobId=j').href).toBe('http://h/api/v1/web/guest/default/status.http?jobId=j%201');
  });
});
