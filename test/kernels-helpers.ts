import type { AnyKernel, DataInputs } from '../kernels/types.ts';

/** A deterministic shuffle (mulberry32), so order-independence checks are reproducible. */
export function shuffled<T>(items: T[], seed = 1): T[] {
  const out = items.slice();
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Runs every task of a job in-process (partials through JSON, as they travel) and returns them. */
export async function runTasks(kernel: AnyKernel, raw: Record<string, unknown>, tasks: number, inputs?: DataInputs): Promise<unknown[]> {
  const params = kernel.parse(raw);
  const count = kernel.split(params, tasks);
  const partials: unknown[] = [];
  for (let index = 0; index < count; index++) {
    partials.push(JSON.parse(JSON.stringify(await kernel.work(params, { index, count }, inputs))));
  }
  return partials;
}

/** reduce(work(all tasks)), with the partials shuffled; `inputs` is the tasks' data access (the strictest by default). */
export async function runJob(kernel: AnyKernel, raw: Record<string, unknown>, tasks: number, seed = 1, inputs?: DataInputs): Promise<unknown> {
  const params = kernel.parse(raw);
  const partials = await runTasks(kernel, raw, tasks, inputs);
  return JSON.parse(JSON.stringify(kernel.reduce(params, shuffled(partials, seed))));
}
