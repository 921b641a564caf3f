import { deflateSync, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { Kernel } from './types.ts';
import { defineKernel } from './define.ts';
import { KernelInputError } from './types.ts';
import { checkFields, checkTaskRef, checkTasks, numberField, shareOf } from './params.ts';

export interface MandelbrotParams {
  width: number;
  height: number;
  maxIter: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}
/** One band of rows: `rows` is base64 of the deflated palette indices (one byte per pixel, row-major). */
export interface MandelbrotPartial {
  y: number;
  rows: string;
}
export interface MandelbrotResult {
  width: number;
  height: number;
  png: string;
}

const NAME = 'mandelbrot';
export const MAX_SIDE = 8192;
export const MAX_PIXELS = 4096 * 4096;
export const MAX_ITER = 100_000;
const MAX_COORD = 10;
/** ms per iteration budget (pixels × maxIter), measured on one core of a 2-core EPYC with Node 20 on the default view. */
const MS_PER_ITERATION = 5e-7;

/** Index 0 (black) for points in the set; escaping points cycle through 255 colours by iteration count. */
const PALETTE: Uint8Array = (() => {
  const pal = new Uint8Array(256 * 3);
  for (let i = 1; i < 256; i++) {
    const t = (i - 1) / 254;
    pal[i * 3] = Math.round(255 * 9 * (1 - t) * t * t * t);
    pal[i * 3 + 1] = Math.round(255 * 15 * (1 - t) * (1 - t) * t * t);
    pal[i * 3 + 2] = Math.round(255 * 8.5 * (1 - t) * (1 - t) * (1 - t) * t);
  }
  return pal;
})();

/** Palette indices of rows [from, to), pixel centres sampled, row 0 at y1 (top). */
export function renderRows(params: MandelbrotParams, from: number, to: number): Uint8Array {
  const { width, height, maxIter, x0, x1, y0, y1 } = params;
  const out = new Uint8Array((to - from) * width);
  const dx = (x1 - x0) / width;
  const dy = (y1 - y0) / height;
  let w = 0;
  for (let row = from; row < to; row++) {
    const ci = y1 - (row + 0.5) * dy;
    for (let col = 0; col < width; col++) {
      const cr = x0 + (col + 0.5) * dx;
      let zr = 0;
      let zi = 0;
      let zr2 = 0;
      let zi2 = 0;
      let n = 0;
      while (n < maxIter && zr2 + zi2 <= 4) {
        zi = 2 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        n++;
      }
      out[w++] = n >= maxIter ? 0 : 1 + (n % 255);
    }
  }
  return out;
}

/** Encodes the full image of palette indices as an RGB PNG, base64. */
export function encodePng(params: MandelbrotParams, indices: Uint8Array): string {
  const png = new PNG({ width: params.width, height: params.height, colorType: 2, inputHasAlpha: true });
  const data = png.data;
  for (let i = 0, j = 0; i < indices.length; i++, j += 4) {
    const c = indices[i] * 3;
    data[j] = PALETTE[c];
    data[j + 1] = PALETTE[c + 1];
    data[j + 2] = PALETTE[c + 2];
    data[j + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true }).toString('base64');
}

/** One band of at least one row per task. */
function mostBands(params: MandelbrotParams): number {
  return Math.min(params.height, 100_000);
}

export const mandelbrot = {
  name: NAME,
  description: 'Renders the Mandelbrot set to a PNG; each task renders one horizontal band of rows.',
  params: {
    width: 'image width in pixels, up to 8192 (default 1024; width × height at most 4096²)',
    height: 'image height in pixels, up to 8192 (default 768)',
    maxIter: 'iterations per pixel, an integer from 1 to 100000 (default 500)',
    x0: 'left edge of the view on the real axis, -10 to 10 (default -2.5)',
    x1: 'right edge (default 1)',
    y0: 'bottom edge on the imaginary axis (default -1.3125)',
    y1: 'top edge (default 1.3125)',
  },
  producesPng: true,
  parse(raw) {
    const p = checkFields(NAME, raw, ['width', 'height', 'maxIter', 'x0', 'x1', 'y0', 'y1']);
    const side = { min: 1, max: MAX_SIDE, integer: true, allowString: true };
    const coord = { min: -MAX_COORD, max: MAX_COORD };
    const params: MandelbrotParams = {
      width: numberField(NAME, p, 'width', side, 1024),
      height: numberField(NAME, p, 'height', side, 768),
      maxIter: numberField(NAME, p, 'maxIter', { min: 1, max: MAX_ITER, integer: true, allowString: true }, 500),
      x0: numberField(NAME, p, 'x0', coord, -2.5),
      x1: numberField(NAME, p, 'x1', coord, 1),
      y0: numberField(NAME, p, 'y0', coord, -1.3125),
      y1: numberField(NAME, p, 'y1', coord, 1.3125),
    };
    if (params.width * params.height > MAX_PIXELS) {
      throw new KernelInputError(`${NAME}: field "height": width × height must be at most ${MAX_PIXELS} pixels`);
    }
    if (!(params.x0 < params.x1)) throw new KernelInputError(`${NAME}: field "x1" must be greater than x0`);
    if (!(params.y0 < params.y1)) throw new KernelInputError(`${NAME}: field "y1" must be greater than y0`);
    return params;
  },
  split(params, tasks) {
    return checkTasks(NAME, tasks, mostBands(params));
  },
  work(params, task) {
    checkTaskRef(NAME, task, params.height);
    const [from, to] = shareOf(params.height, task.index, task.count);
    return { y: from, rows: deflateSync(renderRows(params, from, to), { level: 1 }).toString('base64') };
  },
  reduce(params, partials) {
    const { width, height } = params;
    const indices = new Uint8Array(width * height);
    const covered = new Uint8Array(height);
    for (const part of partials) {
      const rows = inflateSync(Buffer.from(part.rows, 'base64'));
      if (!Number.isInteger(part.y) || rows.length % width !== 0 || part.y < 0 || part.y + rows.length / width > height) {
        throw new Error(`${NAME}: partial at row ${part.y} does not fit a ${width}×${height} image`);
      }
      const n = rows.length / width;
      for (let r = part.y; r < part.y + n; r++) {
        if (covered[r]) throw new Error(`${NAME}: row ${r} came in two partials`);
        covered[r] = 1;
      }
      indices.set(rows, part.y * width);
    }
    const missing = covered.indexOf(0);
    if (missing >= 0) throw new Error(`${NAME}: no partial covered row ${missing}`);
    return { width, height, png: encodePng(params, indices) };
  },
  reference(params) {
    return { width: params.width, height: params.height, png: encodePng(params, renderRows(params, 0, params.height)) };
  },
  estimate(params) {
    return { cpuMs: MS_PER_ITERATION * params.width * params.height * params.maxIter };
  },
  maxTasks: mostBands,
} satisfies Kernel<MandelbrotParams, MandelbrotPartial, MandelbrotResult>;

export default defineKernel(mandelbrot);
