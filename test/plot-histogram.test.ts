import { describe, expect, it } from 'vitest';
import { binValues, histogramSvg } from '../pipeline/views/histogram-svg.ts';
import { checkBalanced, rects } from './helpers/svg-parse.ts';

describe('binValues', () => {
  it('puts every value in one equal-width bin, the maximum in the last', () => {
    const bins = binValues([0, 1, 2, 3, 9, 10], 5);
    expect(bins.map((b) => b.count)).toEqual([2, 2, 0, 0, 2]);
    expect(bins[0]).toMatchObject({ from: 0, to: 2 });
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(6);
  });

  it('uses one bin when all values are equal, none when there are none', () => {
    expect(binValues([5, 5, 5], 10)).toEqual([{ from: 5, to: 6, count: 3 }]);
    expect(binValues([], 10)).toEqual([]);
  });
});

describe('histogramSvg', () => {
  it('draws a bar per non-empty bin, heights proportional to counts', () => {
    const values = [...Array(8).fill(100), ...Array(4).fill(150), 200];
    const svg = histogramSvg(values, { bins: 4, width: 466, height: 270, title: 'd' });
    checkBalanced(svg);
    const bars = rects(svg).filter((r) => r.class === 'bar');
    expect(bars.map((b) => Number(b['data-count']))).toEqual([8, 4, 1]);
    // plot: x from 50, 400 px wide for 100 ms (bins of 25 ms: 150 opens the third); 200 px tall, bottom at y = 230
    expect(bars.map((b) => Number(b.x))).toEqual([50, 250, 350]);
    expect(bars.map((b) => Number(b.height))).toEqual([200, 100, 25]);
    for (const b of bars) expect(Number(b.y) + Number(b.height)).toBe(230);
  });

  it('renders an empty plot for no values', () => {
    const svg = histogramSvg([]);
    checkBalanced(svg);
    expect(rects(svg).filter((r) => r.class === 'bar')).toHaveLength(0);
  });
});
