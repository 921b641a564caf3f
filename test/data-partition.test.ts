// The partitioner's promises for any objects: every byte of every object in exactly one task, in order, as many tasks
// as asked when there are bytes enough, and objects that cannot be ranged read whole by one task.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { partitionObjects } from '../pipeline/data/partition.ts';
import type { ObjectInfo, TaskInput } from '../pipeline/data/objects.ts';

const objectsArb = fc
  .array(
    fc.record({
      size: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.constant(undefined)),
      ranges: fc.boolean(),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((items) => items.map((o, i): ObjectInfo => ({ name: `s3://b/k${i}`, size: o.size, etag: `"e${i}"`, ranges: o.ranges && o.size !== undefined })))
  .filter((objects) => objects.some((o) => o.size !== 0));

/** Each object's slices in task order, with the checks that hold for every partition. */
function coverage(objects: ObjectInfo[], tasks: TaskInput[]): void {
  const slices = tasks.flatMap((t) => t.slices);
  expect(tasks.every((t) => t.slices.length > 0)).toBe(true);
  expect([...new Set(slices.map((s) => s.object))]).toEqual(objects.filter((o) => o.size !== 0).map((o) => o.name));
  for (const o of objects.filter((x) => x.size !== 0)) {
    const own = slices.filter((s) => s.object === o.name);
    expect(own.every((s) => s.etag === o.etag && s.size === o.size)).toBe(true);
    if (!o.ranges) {
      expect(own).toEqual([{ object: o.name, etag: o.etag, size: o.size, start: 0, end: undefined }]);
      continue;
    }
    let at = 0;
    for (const s of own) {
      expect(s.start).toBe(at);
      expect(s.end).toBeGreaterThan(s.start);
      at = s.end!;
    }
    expect(at).toBe(o.size);
  }
}

describe('partitionObjects', () => {
  it('by chunk size: every byte once, slices no longer than the chunk, one object per task', () => {
    fc.assert(
      fc.property(objectsArb, fc.integer({ min: 1, max: 6000 }), (objects, chunkBytes) => {
        const tasks = partitionObjects(objects, { chunkBytes });
        coverage(objects, tasks);
        expect(tasks.every((t) => t.slices.length === 1)).toBe(true);
        expect(tasks.flatMap((t) => t.slices).every((s) => s.end === undefined || s.end - s.start <= chunkBytes)).toBe(true);
      }),
    );
  });

  it('by task count: every byte once, exactly that many tasks when the bytes allow it', () => {
    fc.assert(
      fc.property(objectsArb, fc.integer({ min: 1, max: 300 }), (objects, count) => {
        const tasks = partitionObjects(objects, { tasks: count });
        coverage(objects, tasks);
        const data = objects.filter((o) => o.size !== 0);
        const most = data.reduce((n, o) => n + (o.ranges ? o.size! : 1), 0);
        expect(tasks.length).toBe(Math.min(count, Math.max(most, data.length)));
        if (count < data.length) expect(tasks.every((t) => t.slices.every((s) => s.start === 0))).toBe(true);
      }),
    );
  });
});
