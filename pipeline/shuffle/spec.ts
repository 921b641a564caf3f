// A shuffle job's request fields (`partitionBy` or `sortBy`, `reducers`, `output`, `outputFormat`, `overwrite`) checked
// into the spec both stages keep: the map stage hash-partitions each task's rows by the key into `reducers` partitions
// in the object store (a sort: writes each task's rows as one sorted run, sort-stages.ts); the reduce stage (a job of its own, `reduceJobIdOf`) runs one task per partition and writes one part
// of the output dataset each; the manifest, written last, makes the dataset visible (dataset.ts).
import { createHash } from 'node:crypto';
import type { PartFormat } from '../../kernels/types.ts';
import { HttpError } from '../openwhisk/http.ts';
import { integerOf } from '../job/integer.ts';
import { parseSortBy, type SortColumn, type SortKey } from './sort.ts';

export const PART_FORMATS: readonly PartFormat[] = ['parquet', 'csv', 'jsonl'];

/** Where a dataset lives: every part and its manifest under `s3://bucket/prefix` (the prefix ends in '/'). */
export interface DatasetLocation {
  bucket: string;
  prefix: string;
}

export interface ShuffleSpec {
  /** The column whose value decides a row's partition (a sort: the first sort column). */
  key: string;
  /** A sort (`sortBy`): rows range-partitioned by these columns and each part sorted (pipeline/shuffle/sort.ts). */
  sort?: SortColumn[];
  /** A sort's reduce stage: the R - 1 split points, fixed once from the map stage's runs before it starts. */
  splits?: SortKey[];
  reducers: number;
  /** Where the parts go; absent until the job is planned: then the deployment's results bucket, under the job. */
  output?: DatasetLocation;
  /** Absent until the job is planned: Parquet when the kernel writes it, else JSON lines. */
  format?: PartFormat;
  /** Replace a dataset the output prefix already holds. */
  overwrite: boolean;
  /** The reduce stage only: the map stage's job, whose committed map outputs it reads and whose end it decides. */
  mapJob?: string;
}

const absent = (v: unknown) => v === undefined || v === null || v === '' || v === false;

/** `s3://BUCKET/PREFIX/` as a dataset location; a missing trailing '/' is added. */
export function parseDatasetUrl(raw: unknown, field = 'output'): DatasetLocation {
  const m = typeof raw === 'string' ? /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(raw.trim()) : null;
  if (!m || m[2] === '' || m[2].split('/').some((part, i, all) => part === '' && i < all.length - 1)) {
    throw new HttpError(400, `'${field}' must be an s3://BUCKET/PREFIX/ URL (a dataset is a prefix), got ${JSON.stringify(raw)}`);
  }
  return { bucket: m[1], prefix: m[2].endsWith('/') ? m[2] : `${m[2]}/` };
}

export function datasetUrl(at: DatasetLocation): string {
  return `s3://${at.bucket}/${at.prefix}`;
}

/** The shuffle a request asks for; undefined when it names none of its fields. */
export function parseShuffleRequest(p: Record<string, unknown>, maxReducers: number): ShuffleSpec | undefined {
  const asked = ['partitionBy', 'sortBy', 'reducers', 'output', 'outputFormat', 'overwrite'].filter((f) => !absent(p[f]));
  if (asked.length === 0) return undefined;
  if (!absent(p.partitionBy) && !absent(p.sortBy)) throw new HttpError(400, "give 'partitionBy' (hash partitions, each key in one part) or 'sortBy' (range partitions, globally sorted parts), not both");
  const sort = absent(p.sortBy) ? undefined : parseSortBy(p.sortBy);
  if (absent(p.partitionBy) && !sort) throw new HttpError(400, `'${asked[0]}' needs 'partitionBy' (the key column the reducers group by) or 'sortBy'`);
  if (!sort && (typeof p.partitionBy !== 'string' || !/^[^\s"]{1,128}$/.test(p.partitionBy))) throw new HttpError(400, "'partitionBy' must be a column name");
  const reducers = absent(p.reducers) ? 1 : integerOf(p.reducers);
  if (reducers === undefined || reducers < 1 || reducers > maxReducers) {
    throw new HttpError(400, `'reducers' must be an integer between 1 and ${maxReducers}, got ${JSON.stringify(p.reducers)}`);
  }
  const spec: ShuffleSpec = { key: sort ? sort[0].column : (p.partitionBy as string), ...(sort ? { sort } : {}), reducers, overwrite: p.overwrite === true || p.overwrite === 'true' };
  if (!absent(p.output)) spec.output = parseDatasetUrl(p.output);
  if (!absent(p.outputFormat)) {
    if (!PART_FORMATS.includes(p.outputFormat as PartFormat)) throw new HttpError(400, `'outputFormat' must be one of ${PART_FORMATS.join(', ')}, got ${JSON.stringify(p.outputFormat)}`);
    spec.format = p.outputFormat as PartFormat;
  }
  return spec;
}

/** The reduce stage's job id: derived from the map stage's, so that starting the stage twice creates it once. */
export function reduceJobIdOf(mapJobId: string): string {
  const id = createHash('sha256').update(`${mapJobId}:reduce`).digest('base64url').slice(0, 22);
  return id.startsWith('-') ? `A${id.slice(1)}` : id;
}
