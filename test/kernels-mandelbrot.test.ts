import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { mandelbrot, renderRows } from '../kernels/mandelbrot.ts';
import { KernelInputError } from '../kernels/types.ts';
import { runJob } from './kernels-helpers.ts';

describe('mandelbrot kernel', () => {
  const raw = { width: 160, height: 97, maxIter: 200, x0: -2, x1: 0.6, y0: -1.2, y1: 1.2 };

  it('assembles bands into the same PNG as the serial render', async () => {
    const reference = mandelbrot.reference(mandelbrot.parse(raw));
    for (const tasks of [1, 2, 5, 16, 97]) {
      expect(await runJob(mandelbrot, raw, tasks, tasks)).toEqual(reference);
    }
    const png = PNG.sync.read(Buffer.from(reference.png, 'base64'));
    expect([png.width, png.height]).toEqual([160, 97]);
    // The centre of the main cardioid is in the set (black); a far corner escapes at once (palette index 1).
    const params = mandelbrot.parse(raw);
    const rows = renderRows(params, 0, params.height);
    const cx = Math.round(((-0.2 - raw.x0) / (raw.x1 - raw.x0)) * raw.width);
    expect(rows[48 * raw.width + cx]).toBe(0);
    expect(rows[0]).toBe(2);
    const at = (x: number, y: number): number[] => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];
    expect(at(cx, 48)).toEqual([0, 0, 0, 255]);
  });

  it('uses defaults and rejects bad params', () => {
    expect(mandelbrot.parse({})).toMatchObject({ width: 1024, height: 768 });
    const bads = [{ width: 0 }, { width: 1.5 }, { width: 9000 }, { width: 8192, height: 8192 }, { maxIter: 0 }, { x0: NaN }, { x0: 1, x1: 0 }, { y0: 2, y1: 1 }, { x1: Infinity }, { x0: 'a' }, { zoom: 2 }];
    for (const bad of bads) expect(() => mandelbrot.parse(bad as Record<string, unknown>), JSON.stringify(bad)).toThrow(KernelInputError);
    expect(() => mandelbrot.parse({ zoom: 2 })).toThrow(/zoom/);
    const params = mandelbrot.parse(raw);
    expect(() => mandelbrot.split(params, 98)).toThrow(KernelInputError);
    expect(mandelbrot.split(params, 97)).toBe(97);
  });

  it('refuses partials that overlap or leave rows out', async () => {
    const params = mandelbrot.parse(raw);
    const parts = [0, 1, 2].map((index) => mandelbrot.work(params, { index, count: 3 }));
    expect(() => mandelbrot.reduce(params, parts.slice(0, 2))).toThrow(/row/);
    expect(() => mandelbrot.reduce(params, [...parts, parts[1]])).toThrow(/row/);
  });
});
