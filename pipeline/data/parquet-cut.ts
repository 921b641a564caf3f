// A job's Parquet objects cut by row groups, when the job is created: each object's footer is read once here, and every
// byte slice the partitioner made of it becomes the row groups that start in it (as a CSV slice owns the lines that
// start in it), so every row group is one task's wherever the cuts fell. The slice then spans exactly its row groups
// and carries the footer cut down to them (`footer`): its task reads their column chunks and nothing else.
import type { ByteReader, ObjectInfo, ObjectSlice, TaskInput } from './objects.ts';
import { cutFooter, parquetRowGroups, readParquetFooter } from './parquet-footer.ts';

/** Footers read at once while a job is created. */
const FOOTER_CONCURRENCY = 8;

/** Whether `name` (s3://BUCKET/KEY or a URL) is a Parquet object by its name. */
export function namedParquet(name: string): boolean {
  let path = name;
  try {
    path = new URL(name).pathname;
  } catch {
    // an s3:// name is its own path
  }
  return /\.parquet$/i.test(path);
}

/**
 * The tasks with every slice of a Parquet object (`isParquet`) cut to the row groups it owns; slices owning none are
 * left out, and tasks left with no slice. An object read whole (its size unknown, or no byte ranges) is left as it is.
 */
export async function cutByRowGroups(read: ByteReader, objects: readonly ObjectInfo[], tasks: TaskInput[], isParquet: (name: string) => boolean): Promise<TaskInput[]> {
  const parquet = objects.filter((o) => o.ranges && o.size !== undefined && o.size > 0 && isParquet(o.name));
  if (parquet.length === 0) return tasks;
  const slicesOf = new Map<string, ObjectSlice[]>();
  for (const task of tasks) for (const s of task.slices) if (s.end !== undefined) slicesOf.set(s.object, [...(slicesOf.get(s.object) ?? []), s]);
  const cut = new Map<ObjectSlice, ObjectSlice | undefined>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < parquet.length) {
      const o = parquet[next++];
      const slices = slicesOf.get(o.name) ?? [];
      if (slices.length === 0) continue;
      const footer = await readParquetFooter(read, { object: o.name, etag: o.etag, size: o.size!, start: 0 });
      const groups = parquetRowGroups(footer, o.name);
      slices.forEach((slice, n) => {
        const owned = groups.flatMap((g, i) => (g.start >= slice.start && g.start < slice.end! ? [i] : []));
        // An object of no row groups is still a table (an empty one): its first slice keeps it.
        if (owned.length === 0 && !(groups.length === 0 && n === 0)) return cut.set(slice, undefined);
        const start = owned.length ? groups[owned[0]].start : slice.start;
        const end = owned.length ? groups[owned[owned.length - 1]].end : slice.start;
        cut.set(slice, { ...slice, start, end, footer: cutFooter(footer, owned, o.name).toString('base64') });
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(FOOTER_CONCURRENCY, parquet.length) }, lane));
  return tasks
    .map((task) => ({ ...task, slices: task.slices.flatMap((s) => (cut.has(s) ? (cut.get(s) ? [cut.get(s)!] : []) : [s])) }))
    .filter((task) => task.slices.length > 0);
}
