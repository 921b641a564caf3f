// The dashboard's page and the pure code it draws with (the browser test runs it in Chromium): the page's shell and its
// bundled script, the `records` ranges, the activity model that merges the status answers, the task stream and the
// figures over time.
import { describe, expect, it } from 'vitest';
import { dashboardHtml, defaultPngUrl } from '../pipeline/views/dashboard-html.ts';
import { statusUrlFor } from '../actions/dashboard.ts';
import { ActivityModel, BAR_COLOURS, COLD_COLOUR, formatRanges, parseRanges, type JobActivityView } from '../pipeline/views/job-activity.ts';
import { streamRows, taskStreamSvg } from '../pipeline/views/task-stream-svg.ts';
import { activitySeries, activitySvg } from '../pipeline/views/activity-svg.ts';
import { checkBalanced, rects } from './helpers/svg-parse.ts';

const statusUrl = 'http://h/api/v1/web/guest/default/status.http?jobId=j1';

function view(over: Partial<JobActivityView> = {}): JobActivityView {
  return {
    about: { kernel: 'k', params: {}, total: 4, workers: 0, mode: 'push', planWhy: [], retryBudget: 20, created: 1000 },
    now: 3000,
    lanes: ['c-a', 'c-b'],
    // task 0 cold on c-a (boot 0..100, runs 100..1000), task 1 warm on c-a, task 2 on c-b
    records: [
      [0, 0, 0, 100, 1000, 0, 1],
      [1, 1000, 1000, 1000, 1500, 0, 0],
      [2, 0, 50, 50, 2000, 1, 0],
    ],
    recordsLeft: 0,
    running: [[3, 2500, -1]],
    failed: [],
    failedTasks: 0,
    retried: [],
    speculated: [],
    stages: [],
    ...over,
  };
}

describe('dashboardHtml', () => {
  it('escapes the job id, keeps the config unable to close its script, and inlines the bundled page script', () => {
    const html = dashboardHtml({ jobId: '</script><b>', statusUrl });
    expect(html).not.toContain('</script><b>');
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;');
    expect(defaultPngUrl(statusUrl)).toBe('http://h/api/v1/web/guest/default/status.http?jobId=j1&format=png');
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    // Plain browser code: no module system, no Node.
    expect(scripts[0]).not.toMatch(/\brequire\(|\bprocess\.env|^import /m);
    expect(() => new Function(scripts[0]!)).not.toThrow();
    for (const id of ['grid', 'stream', 'kernel', 'params', 'plan', 'image', 'result', 'failures']) expect(html).toContain(`id="${id}"`);
  });
});

describe('records ranges', () => {
  it('round-trips, merges neighbours and bounds what it reads', () => {
    expect(formatRanges([5, 0, 1, 2, 9, 10, 3])).toBe('0-3,5,9-10');
    expect(parseRanges('0-3,5,9-10', 100, 1000)).toEqual([0, 1, 2, 3, 5, 9, 10]);
    expect(parseRanges('0-3,5,9-10', 6, 1000)).toEqual([0, 1, 2, 3, 5]);
    expect(parseRanges('0-99999', 100_000, 3)).toEqual([0, 1, 2]);
    expect(parseRanges('', 10, 10)).toEqual([]);
    for (const bad of ['a', '3-1', '1,,2', '-1', '1-2-3']) expect(parseRanges(bad, 10, 10)).toBeUndefined();
  });
});

describe('ActivityModel', () => {
  it('merges answers: records kept, running replaced, outcomes coloured', () => {
    const m = new ActivityModel();
    m.merge(view());
    expect(m.bars().map((b) => [b.task, b.kind, b.lane])).toEqual([
      [0, 'done', 'c-a'],
      [1, 'done', 'c-a'],
      [2, 'done', 'c-b'],
      [3, 'running', ''],
    ]);
    // The next answer sends only new records: the earlier ones stay; task 1 was run again, task 2 speculated.
    m.merge(view({ records: [[3, 2500, 2500, 2500, 3200, 0, 0]], running: [], retried: [1], speculated: [2], now: 3500 }));
    expect(m.bars().map((b) => `${b.task}:${b.kind}`)).toEqual(['0:done', '1:retried', '2:speculative', '3:done']);
  });

  it('draws a failed attempt of an unfinished task from its start to its failure', () => {
    const m = new ActivityModel();
    m.merge(view({ records: [], running: [], failed: [[2, 3, 400, 900, 'boom', -1]], failedTasks: 1 }));
    expect(m.bars()).toEqual([{ task: 2, kind: 'failed', lane: '', begin: 400, start: 400, end: 900, cold: false, message: 'boom' }]);
    expect(m.attempts.get(2)).toBe(3);
  });
});

describe('taskStreamSvg', () => {
  const m = new ActivityModel();
  m.merge(view());
  const bars = m.bars();

  it('puts each lane on a row in order of its first bar, and bars without one on rows of their own', () => {
    const rows = streamRows(bars, 'container');
    expect(rows.map((r) => [r.label, r.bars.map((b) => b.task)])).toEqual([
      ['container 1', [0, 1]],
      ['container 2', [2]],
      ['starting', [3]],
    ]);
  });

  it('gives a lane a row for each task it ran at once', () => {
    const at = (task: number, begin: number, end: number) => ({ task, kind: 'done' as const, lane: 'c', begin, start: begin, end, cold: false });
    const rows = streamRows([at(0, 0, 100), at(1, 50, 150), at(2, 100, 200), at(3, 120, 130)], 'worker');
    expect(rows.map((r) => [r.label, r.bars.map((b) => b.task)])).toEqual([
      ['worker 1', [0, 2]],
      ['', [1]],
      ['', [3]],
    ]);
  });

  it('draws one bar per task coloured by outcome, a cold start in grey before it, on a time axis', () => {
    // plot width = 1112 - 96 - 16 = 1000 px for 3000 ms
    const svg = taskStreamSvg(bars, { width: 1112, now: 3000, title: 'job <x>' });
    checkBalanced(svg);
    expect(svg).toContain('job &lt;x&gt;');
    const all = rects(svg);
    const drawn = all.filter((r) => r.class === 'bar');
    expect(drawn.map((b) => `${b['data-task']}:${b['data-kind']}`)).toEqual(['0:done', '1:done', '2:done', '3:running']);
    for (const b of drawn) expect(b.fill).toBe(BAR_COLOURS[b['data-kind'] as keyof typeof BAR_COLOURS]);
    const cold = all.filter((r) => r.class === 'cold');
    expect(cold).toHaveLength(1);
    expect(cold[0]).toMatchObject({ x: '96', fill: COLD_COLOUR });
    expect(Number(cold[0]!.width)).toBeCloseTo(100 / 3, 1);
    const bar0 = drawn[0]!;
    expect(Number(bar0.x)).toBeCloseTo(96 + 100 / 3, 1);
    expect(Number(bar0.width)).toBeCloseTo(300, 1);
    // task 0 and 1 share a row; 2 and 3 each have their own
    const ys = drawn.map((b) => Number(b.y));
    expect(ys[0]).toBe(ys[1]);
    expect(new Set(ys).size).toBe(3);
    expect(svg).not.toContain('<title>task');
    expect(taskStreamSvg(bars, { barTitles: true })).toContain('<title>task 0 done 900 ms (cold start)</title>');
  });

  it('folds a lane that ran more tasks at once than its share of the rows onto its share', () => {
    const at = (task: number, lane: string) => ({ task, kind: 'done' as const, lane, begin: 0, start: 0, end: 100, cold: false });
    const bars = [...Array.from({ length: 50 }, (_, i) => at(i, 'a')), ...Array.from({ length: 3 }, (_, i) => at(50 + i, 'b'))];
    const rows = streamRows(bars, 'worker', 20);
    expect(rows).toHaveLength(20);
    expect(rows.reduce((n, r) => n + r.bars.length, 0)).toBe(53);
    expect(rows.filter((r) => r.label).map((r) => r.label)).toEqual(['worker 1', 'worker 2']);
  });

  it('draws the bars of a large job as a path per row and outcome, every bar in it', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ task: i, kind: (i === 7 ? 'retried' : 'done') as 'done' | 'retried', lane: `c${i % 3}`, begin: i * 10, start: i * 10 + (i < 3 ? 5 : 0), end: i * 10 + 8, cold: i < 3 }));
    const svg = taskStreamSvg(many, { maxBarElements: 10 });
    checkBalanced(svg);
    expect(rects(svg).filter((r) => r.class === 'bar')).toHaveLength(0);
    const paths = [...svg.matchAll(/<path class="bars" data-kind="(\w+)" data-tasks="(\d+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(paths.reduce((n, [, count]) => n + count, 0)).toBe(30);
    expect(paths.filter(([kind]) => kind === 'retried')).toEqual([['retried', 1]]);
    expect([...svg.matchAll(/<path class="cold" data-tasks="(\d+)"/g)].reduce((n, m) => n + Number(m[1]), 0)).toBe(3);
  });

  it('draws an empty stream for a job with no task started', () => {
    const svg = taskStreamSvg([]);
    checkBalanced(svg);
    expect(rects(svg).filter((r) => r.class === 'bar')).toHaveLength(0);
    expect(svg).toContain('no task has started yet');
  });
});

describe('activitySeries', () => {
  it('counts tasks finished per second and tasks running at once', () => {
    const m = new ActivityModel();
    m.merge(view());
    // 3 buckets of 1000 ms over [0, 3000]
    const s = activitySeries(m.bars(), 3000, 3);
    expect(s.bucketMs).toBe(1000);
    // ends: task 1 at 1500 (bucket 1), task 0 at 1000 (bucket 1), task 2 at 2000 (bucket 2); running task 3 not counted
    expect(s.tasksPerS).toEqual([0, 2, 1]);
    // busy: bucket 0: tasks 0, 2; bucket 1: 0 (ends there), 1, 2; bucket 2: 2, 3
    expect(s.busy).toEqual([2, 3, 2]);
    const svg = activitySvg(m.bars(), 3000, { bytesPerTask: 2e6 });
    checkBalanced(svg);
    expect(svg).toContain('data-series="rate"');
    expect(svg).toContain('data-series="busy"');
    expect(svg).toContain('MB/s');
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
