import { describe, expect, it } from 'vitest';
import { pi, PI_BLOCK } from '../kernels/pi.ts';
import { KernelInputError } from '../kernels/types.ts';
import { runJob } from './kernels-helpers.ts';

describe('pi kernel', () => {
  it('gives the reference answer exactly, whatever the task count', async () => {
    const raw = { samples: 3 * PI_BLOCK + 12_345, seed: 42 };
    const reference = pi.reference(pi.parse(raw));
    for (const tasks of [1, 2, 3, 7, 64, 500]) {
      expect(await runJob(pi, raw, tasks, tasks)).toEqual(reference);
    }
    expect(reference.samples).toBe(raw.samples);
    expect(Math.abs(reference.pi - Math.PI)).toBeLessThan(0.02);
  });

  it('is reproducible and depends on the seed', () => {
    const a = pi.reference(pi.parse({ samples: 100_000, seed: 1 }));
    expect(pi.reference(pi.parse({ samples: 100_000, seed: 1 }))).toEqual(a);
    expect(pi.reference(pi.parse({ samples: 100_000, seed: 2 })).inside).not.toBe(a.inside);
    expect(pi.reference(pi.parse({ samples: 100_000 }))).toEqual(pi.reference(pi.parse({ samples: 100_000, seed: 0 })));
  });

  it('converges', () => {
    const r = pi.reference(pi.parse({ samples: 2_000_000, seed: 7 }));
    expect(Math.abs(r.pi - Math.PI)).toBeLessThan(0.005);
  });

  it('handles more tasks than samples', async () => {
    const raw = { samples: 5, seed: 3 };
    expect(await runJob(pi, raw, 9)).toEqual(pi.reference(pi.parse(raw)));
  });

  it('rejects bad params', () => {
    for (const bad of [{}, { samples: 0 }, { samples: -5 }, { samples: 1.5 }, { samples: 1e13 }, { samples: '10' + 'x' }, { samples: 10, seed: -1 }, { samples: 10, seed: 2 ** 32 }, { samples: 10, seed: 'a' }, { samples: 10, sides: 3 }]) {
      expect(() => pi.parse(bad as Record<string, unknown>), JSON.stringify(bad)).toThrow(KernelInputError);
    }
    expect(() => pi.parse({ samples: 10, seed: -1 })).toThrow(/seed/);
    expect(() => pi.split(pi.parse({ samples: 10 }), 0)).toThrow(KernelInputError);
  });
});
