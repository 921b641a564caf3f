import { describe, expect, it } from 'vitest';
import { PHASE_COLOURS, timelineSvg, type TaskRecord } from '../pipeline/views/timeline-svg.ts';
import { checkBalanced, rects } from './helpers/svg-parse.ts';

const T0 = 1_700_000_000_000;
const records: TaskRecord[] = [
  // warm, queued 100 ms, runs 400 ms
  { task: 1, activationId: 'b', container: 'c1', cold: false, queued: T0, start: T0 + 100, end: T0 + 500 },
  // cold: no queueing, 200 ms init, 800 ms run
  { task: 0, activationId: 'a<&>', container: 'c0', cold: true, initMs: 200, queued: T0, start: T0, end: T0 + 1000 },
  // not queued at all, warm
  { task: 2, activationId: 'c', container: '', cold: false, queued: T0 + 500, start: T0 + 500, end: T0 + 750 },
];

describe('timelineSvg', () => {
  const svg = timelineSvg(records, { width: 1076, height: 30, title: 'job <x>' });
  const bars = rects(svg).filter((r) => r.class === 'bar');

  it('is well-formed and escapes text', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    checkBalanced(svg);
    expect(svg).toContain('job &lt;x&gt;');
    expect(svg).toContain('a&lt;&amp;&gt;');
  });

  it('draws one bar per non-empty phase, coloured by phase', () => {
    expect(bars.map((b) => `${b['data-task']}:${b['data-phase']}`)).toEqual([
      '0:cold-init',
      '0:running',
      '1:queued',
      '1:running',
      '2:running',
    ]);
    for (const b of bars) expect(b.fill).toBe(PHASE_COLOURS[b['data-phase'] as keyof typeof PHASE_COLOURS]);
  });

  it('places bars on the time axis and in task order', () => {
    // plot width = 1076 - 60 - 16 = 1000 px for 1000 ms: 1 px per ms, origin at x = 60
    const at = (task: string, phase: string) => bars.find((b) => b['data-task'] === task && b['data-phase'] === phase)!;
    expect(Number(at('0', 'cold-init').x)).toBe(60);
    expect(Number(at('0', 'cold-init').width)).toBe(200);
    expect(Number(at('0', 'running').x)).toBe(260);
    expect(Number(at('0', 'running').width)).toBe(800);
    expect(Number(at('1', 'queued').width)).toBe(100);
    expect(Number(at('1', 'running').x)).toBe(160);
    expect(Number(at('2', 'running').x)).toBe(560);
    const y = (task: string) => Number(at(task, 'running').y);
    expect(y('0')).toBeLessThan(y('1'));
    expect(y('1')).toBeLessThan(y('2'));
    expect(y('1') - y('0')).toBe(10);
  });

  it('keeps thin rows for many tasks and handles no tasks', () => {
    const many = Array.from({ length: 2000 }, (_, i): TaskRecord => ({
      task: i, activationId: String(i), container: '', cold: false, queued: T0 + i, start: T0 + i, end: T0 + i + 10,
    }));
    const manyBars = rects(timelineSvg(many)).filter((r) => r.class === 'bar');
    expect(manyBars).toHaveLength(2000);
    expect(Number(manyBars[1999]!.height)).toBeGreaterThanOrEqual(0.24);
    const empty = timelineSvg([]);
    checkBalanced(empty);
    expect(rects(empty).filter((r) => r.class === 'bar')).toHaveLength(0);
  });
});
