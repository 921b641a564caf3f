// Cutting a job's objects into tasks, by bytes per task or by a number of tasks (as Lithops' partitioner does with
// obj_chunk_size / obj_chunk_number). A task gets byte ranges; records are aligned at read time (record-reader.ts):
// a task owns the records that start in its range, so the cut may fall anywhere.
import { parseByteSize } from './byte-size.ts';
import { InputSpecError } from './errors.ts';
import type { ObjectInfo, ObjectSlice, TaskInput } from './objects.ts';

export type PartitionBy = { chunkBytes: number } | { tasks: number };

/** `chunkSize` (bytes, or a size such as `64MiB`) or `tasks` (a count), exactly one of them. */
export function parsePartitionBy(raw: { chunkSize?: unknown; tasks?: unknown }): PartitionBy {
  const hasSize = raw.chunkSize !== undefined && raw.chunkSize !== null;
  const hasTasks = raw.tasks !== undefined && raw.tasks !== null;
  if (hasSize === hasTasks) throw new InputSpecError('give either chunkSize (bytes per task, e.g. 64MiB) or tasks (a count), not both or neither');
  if (hasSize) return { chunkBytes: parseByteSize(raw.chunkSize, 'chunkSize') };
  const tasks = typeof raw.tasks === 'string' && /^\d+$/.test(raw.tasks) ? Number(raw.tasks) : raw.tasks;
  if (typeof tasks !== 'number' || !Number.isSafeInteger(tasks) || tasks < 1) throw new InputSpecError(`tasks must be a whole number of at least 1, got ${JSON.stringify(raw.tasks)}`);
  return { tasks };
}

function wholeSlice(o: ObjectInfo): ObjectSlice {
  return { object: o.name, etag: o.etag, size: o.size, start: 0, end: rangeable(o) ? o.size : undefined };
}

/** Bytes [0, size) of a rangeable object cut evenly into `pieces` slices. */
function evenSlices(o: ObjectInfo & { size: number }, pieces: number): ObjectSlice[] {
  return Array.from({ length: pieces }, (_, i) => ({
    object: o.name,
    etag: o.etag,
    size: o.size,
    start: Math.floor((i * o.size) / pieces),
    end: Math.floor(((i + 1) * o.size) / pieces),
  }));
}

function rangeable(o: ObjectInfo): o is ObjectInfo & { size: number } {
  return o.ranges && o.size !== undefined;
}

/**
 * The tasks that read these objects. By `chunkBytes`: every object on its own, cut into slices of that many bytes (the
 * last one shorter); by `tasks`: that many tasks (fewer when there are fewer bytes), several small objects to a task
 * when there are more objects than tasks, else each object cut into pieces in proportion to its size. Empty objects
 * are left out; an object whose server reads no byte ranges is one slice. Throws InputSpecError when nothing is left.
 */
export function partitionObjects(objects: readonly ObjectInfo[], by: PartitionBy): TaskInput[] {
  const data = objects.filter((o) => o.size !== 0);
  if (data.length === 0) {
    throw new InputSpecError(objects.length === 1 ? `${objects[0].name} is empty: nothing to read` : `all ${objects.length} objects are empty: nothing to read`);
  }
  if ('chunkBytes' in by) {
    const chunk = by.chunkBytes;
    if (!Number.isSafeInteger(chunk) || chunk < 1) throw new InputSpecError(`chunkSize must be a whole number of bytes of at least 1, got ${chunk}`);
    return data.flatMap((o) => (rangeable(o) ? evenChunks(o, chunk) : [wholeSlice(o)]).map((slice) => ({ slices: [slice] })));
  }
  const tasks = by.tasks;
  if (!Number.isSafeInteger(tasks) || tasks < 1) throw new InputSpecError(`tasks must be a whole number of at least 1, got ${tasks}`);
  if (tasks <= data.length) return groupWhole(data, tasks);
  return splitProportionally(data, tasks).map((slice) => ({ slices: [slice] }));
}

function evenChunks(o: ObjectInfo & { size: number }, chunk: number): ObjectSlice[] {
  const slices: ObjectSlice[] = [];
  for (let start = 0; start < o.size; start += chunk) slices.push({ object: o.name, etag: o.etag, size: o.size, start, end: Math.min(o.size, start + chunk) });
  return slices;
}

/** `tasks` groups of whole objects, in order, each near an equal share of the bytes (an unknown size counts as the mean). */
function groupWhole(data: ObjectInfo[], tasks: number): TaskInput[] {
  const known = data.filter((o) => o.size !== undefined);
  const mean = known.length ? known.reduce((s, o) => s + (o.size ?? 0), 0) / known.length : 1;
  const weights = data.map((o) => o.size ?? mean);
  const total = weights.reduce((s, w) => s + w, 0);
  const groups: TaskInput[] = [];
  let current: ObjectSlice[] = [];
  let done = 0;
  data.forEach((o, i) => {
    current.push(wholeSlice(o));
    done += weights[i];
    const left = data.length - i - 1;
    const groupsLeft = tasks - groups.length - 1;
    const reachedShare = done >= ((groups.length + 1) * total) / tasks;
    if (groupsLeft > 0 && (reachedShare || left === groupsLeft)) {
      groups.push({ slices: current });
      current = [];
    }
  });
  groups.push({ slices: current });
  return groups;
}

/** One slice per object at least, the `tasks` - objects extra pieces shared by size (largest remainder). */
function splitProportionally(data: ObjectInfo[], tasks: number): ObjectSlice[] {
  const pieces = data.map(() => 1);
  const splittable = data.map((o, i) => ({ o, i })).filter(({ o }) => rangeable(o) && (o.size ?? 0) > 1);
  const bytes = splittable.reduce((s, { o }) => s + (o.size ?? 0), 0);
  let extra = tasks - data.length;
  const shares = splittable.map(({ o, i }) => {
    const exact = (extra * (o.size ?? 0)) / bytes;
    return { i, whole: Math.floor(exact), rest: exact - Math.floor(exact), cap: (o.size ?? 1) - 1 };
  });
  for (const s of shares) {
    const add = Math.min(s.whole, s.cap);
    pieces[s.i] += add;
    s.cap -= add;
    extra -= add;
  }
  for (const s of [...shares].sort((a, b) => b.rest - a.rest || a.i - b.i)) {
    if (extra <= 0) break;
    if (s.cap > 0) {
      pieces[s.i] += 1;
      s.cap -= 1;
      extra -= 1;
    }
  }
  return data.flatMap((o, i) => (rangeable(o) ? evenSlices(o, pieces[i]) : [wholeSlice(o)]));
}
