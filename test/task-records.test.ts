// Per-task records (activation, container, cold or warm, queued/start/end) kept with a job, the bitmap of done tasks,
// the plots the `status` action draws from them, the `dashboard` web action, and `supercompute plot`.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore } from '../pipeline/store/job-store.ts';
import { specOf } from './helpers/job-spec.ts';
import { jobKeys } from '../pipeline/store/keys.ts';
import { newJobId } from '../pipeline/job/ids.ts';
import { toTimelineRecord, type StoredTaskRecord } from '../pipeline/store/task-records.ts';
import { startPipeline, type PipelineEnv } from './helpers/pipeline-env.ts';
import { checkBalanced, rects } from './helpers/svg-parse.ts';
import { cli } from './cli-helpers.ts';

const TASKS = 40;
let env: PipelineEnv;
let jobId = '';
let records: Record<string, StoredTaskRecord> = {};

beforeAll(async () => {
  env = await startPipeline({ db: 10 });
});
afterAll(async () => {
  await env?.stop();
});

function bitsSet(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  const out: number[] = [];
  for (let i = 0; i < bytes.length * 8; i++) if ((bytes[i >> 3]! >> (7 - (i & 7))) & 1) out.push(i);
  return out;
}

describe('per-task records', () => {
  it('keeps one record per task, written by work with the partial, with the job TTL', async () => {
    const t0 = Date.now();
    const { status, body } = await env.submit({ kernel: 'sleep', params: { ms: 30 }, tasks: TASKS });
    expect(status).toBe(200);
    jobId = body.jobId;
    const done = await env.waitForJob(jobId);
    expect(done).toMatchObject({ state: 'done', done: TASKS });

    const k = jobKeys(jobId);
    const raw = await env.redis.hGetAll(k.tasks);
    records = Object.fromEntries(Object.entries(raw).map(([i, json]) => [i, JSON.parse(json) as StoredTaskRecord]));
    expect(Object.keys(records).map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: TASKS }, (_, i) => i));
    for (const key of [k.tasks, k.doneBits]) expect(await env.redis.pTTL(key)).toBeGreaterThan(23 * 3600 * 1000);

    for (const r of Object.values(records)) {
      expect(r.activationId).toMatch(/^[0-9a-f]{32}$/);
      expect(r.container).toMatch(/^\d+-[0-9a-f]{8}$/);
      expect(r.queued).toBeGreaterThanOrEqual(t0);
      expect(r.queued!).toBeLessThanOrEqual(r.start);
      expect(r.start).toBeLessThanOrEqual(r.end);
      expect(r.end - r.start).toBeGreaterThanOrEqual(30);
      expect(r.end).toBeLessThanOrEqual(done.timings.lastWorkerEnd);
      if (r.cold) expect(r.boot).toBeLessThanOrEqual(r.start);
      else expect(r.boot).toBeUndefined();
    }
    // A fresh platform: each container's first activation is cold, and it ran one of these tasks.
    const byContainer = new Map<string, StoredTaskRecord[]>();
    for (const r of Object.values(records)) byContainer.set(r.container, [...(byContainer.get(r.container) ?? []), r]);
    for (const [container, runs] of byContainer) {
      expect(runs.filter((r) => r.cold).length, container).toBe(1);
    }
    expect(new Set(Object.values(records).map((r) => r.activationId)).size).toBe(TASKS);
  });

  it('names the activation that ran each task', async () => {
    for (const index of [0, TASKS - 1]) {
      const a = await env.ow.activations.get({ name: records[index]!.activationId });
      expect(a.name).toBe(env.kernelAction.sleep!.split('/').pop());
      expect(a.response.result).toMatchObject({ jobId, index, counted: true });
    }
  });

  it('answers the done tasks as a bitmap in the status JSON', async () => {
    const done = await env.waitForJob(jobId);
    expect(bitsSet(done.doneTasks)).toEqual(Array.from({ length: TASKS }, (_, i) => i));
  });

  it('serves the timeline and the histogram as SVG', async () => {
    const timeline = await fetch(`${env.web}/status.svg?jobId=${jobId}&plot=timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await timeline.text();
    checkBalanced(svg);
    const bars = rects(svg).filter((r) => r.class === 'bar');
    const running = bars.filter((b) => b['data-phase'] === 'running');
    expect(new Set(running.map((b) => Number(b['data-task'])))).toEqual(new Set(Array.from({ length: TASKS }, (_, i) => i)));
    const cold = Object.values(records).filter((r) => r.cold).length;
    expect(new Set(bars.filter((b) => b['data-phase'] === 'cold-init').map((b) => b['data-task'])).size).toBeLessThanOrEqual(cold);

    const histogram = await fetch(`${env.web}/status.svg?jobId=${jobId}&plot=histogram`);
    expect(histogram.status).toBe(200);
    const hsvg = await histogram.text();
    checkBalanced(hsvg);
    const counts = rects(hsvg).filter((r) => r.class === 'bar').map((r) => Number(r['data-count']));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(TASKS);

    const http = await fetch(`${env.web}/status.http?jobId=${jobId}&plot=histogram`);
    expect(http.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await http.text()).toBe(hsvg);
  });

  it('serves the task stream (a bar per task, as the dashboard draws it) and the figures over time as SVG', async () => {
    const stream = await fetch(`${env.web}/status.svg?jobId=${jobId}&plot=stream`);
    expect(stream.status).toBe(200);
    const svg = await stream.text();
    checkBalanced(svg);
    const bars = rects(svg).filter((r) => r.class === 'bar');
    expect(bars.map((b) => Number(b['data-task'])).sort((a, b) => a - b)).toEqual(Array.from({ length: TASKS }, (_, i) => i));
    expect(bars.every((b) => ['done', 'retried', 'speculative'].includes(b['data-kind']!))).toBe(true);
    expect(svg).toMatch(/<text class="row"[^>]*>container 1<\/text>/);
    const activity = await fetch(`${env.web}/status.svg?jobId=${jobId}&plot=activity`);
    expect(activity.status).toBe(200);
    const asvg = await activity.text();
    checkBalanced(asvg);
    expect(asvg).toContain('data-series="rate"');
    expect(asvg).toContain('data-series="busy"');
  });

  it('refuses an unknown plot and an unknown job', async () => {
    const bad = await fetch(`${env.web}/status.http?jobId=${jobId}&plot=pie`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/plot/);
    const unknown = await fetch(`${env.web}/status.http?jobId=${newJobId()}&plot=timeline`);
    expect(unknown.status).toBe(404);
  });

  it('writes every plot with `supercompute plot`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-plot-'));
    try {
      const r = await cli(['plot', jobId, '--out', dir, '--apihost', env.platform.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const files = r.stdout.trim().split('\n');
      expect(files).toEqual(['timeline', 'histogram', 'stream', 'activity'].map((plot) => join(dir, `${jobId}-${plot}.svg`)));
      const svg = readFileSync(files[0]!, 'utf8');
      expect(rects(svg).filter((b) => b['data-phase'] === 'running')).toHaveLength(TASKS);
      // An unknown job is found out before anything is written: no directory, no file.
      const missing = join(dir, 'not-yet');
      const bad = await cli(['plot', newJobId(), '--out', missing, '--apihost', env.platform.url]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/unknown job/);
      expect(existsSync(missing)).toBe(false);
      expect(readdirSync(dir).sort()).toEqual(['activity', 'histogram', 'stream', 'timeline'].map((plot) => `${jobId}-${plot}.svg`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the dashboard URL with `supercompute run`', async () => {
    const r = await cli(['run', 'sleep', '--param', 'ms=0', '--tasks', '3', '--no-progress', '--no-check-redis', '--apihost', env.platform.url]);
    expect(r.code, r.stderr).toBe(0);
    const url = r.stderr.match(/^dashboard: (\S+)$/m)?.[1];
    expect(url).toMatch(new RegExp(`^${env.platform.url}/api/v1/web/guest/default/dashboard\\.html\\?jobId=[\\w-]{22}$`));
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('the store', () => {
  const rec = (start: number, extra: Partial<StoredTaskRecord> = {}): StoredTaskRecord => ({
    activationId: 'a'.repeat(32),
    container: '1-00000000',
    cold: false,
    start,
    end: start + 5,
    ...extra,
  });

  it('keeps the record of the run that counted, and sets the done bit', async () => {
    const store = new JobStore(env.redis);
    const id = newJobId();
    await store.create(id, specOf('sleep', { ms: 0 }, 10, { retries: 0 }));
    expect([...(await store.doneBitmap(id))]).toEqual([]);
    await store.completeTask(id, 0, '{}', 100, rec(90, { cold: true, boot: 50, queued: 40 }));
    await store.completeTask(id, 9, '{}', 200, rec(190));
    await store.completeTask(id, 0, '{}', 300, rec(290));
    await store.completeTask(id, 5, '{}', 400);
    expect([...(await store.doneBitmap(id))]).toEqual([0b10000100, 0b01000000]);
    const records = await store.taskRecords(id);
    expect([...records.keys()].sort()).toEqual([0, 9]);
    expect(records.get(0)).toEqual(rec(90, { cold: true, boot: 50, queued: 40 }));
    expect(records.get(9)).toEqual(rec(190));
  });
});

describe('timeline records', () => {
  const base: StoredTaskRecord = { activationId: 'x', container: 'c', cold: false, start: 1000, end: 1200 };

  it('draws a warm run from its start', () => {
    expect(toTimelineRecord(3, { ...base, queued: 900 })).toMatchObject({ task: 3, queued: 900, start: 1000, end: 1200, initMs: 0 });
  });

  it('starts a cold run at its process start, but not before it was queued', () => {
    expect(toTimelineRecord(0, { ...base, cold: true, queued: 800, boot: 850 })).toMatchObject({ queued: 800, start: 850, initMs: 150 });
    expect(toTimelineRecord(0, { ...base, cold: true, queued: 800, boot: 100 })).toMatchObject({ queued: 800, start: 800, initMs: 200 });
  });

  it('clamps times from clocks that disagree', () => {
    expect(toTimelineRecord(0, { ...base, queued: 1100, end: 990 })).toMatchObject({ queued: 1000, start: 1000, end: 1000 });
    expect(toTimelineRecord(0, { ...base })).toMatchObject({ queued: 1000, start: 1000 });
  });
});
