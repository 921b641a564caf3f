import type { ByteReader, ObjectSlice, TaskInput } from '../pipeline/data/objects.ts';
import type { RecordBatch } from '../pipeline/data/record-batch.ts';

/**
 * One task of a job: task `index` of `count`, numbered from 0. Kernels derive a task's input from it, or, when the job
 * names a data input (`input`: S3 objects or URLs), read the slice of it this task owns.
 */
export interface TaskRef {
  index: number;
  count: number;
  /** The job's data input only: the byte ranges this task reads, each pinned to the object's ETag. */
  input?: TaskInput;
  /** The job's data input only: the lines (records) that start in this task's ranges, each read once by one task. */
  records?: AsyncIterable<string>;
  /**
   * The job's data input only: the same records as `records`, as batches of whole records' bytes (about 1 MiB each,
   * read as they stream): the fast path, for kernels that scan bytes rather than decode every line (see RecordBatch).
   * Each batch is lent until the next is asked for: its buffer is then reused, so copy what you keep.
   */
  batches?: AsyncIterable<RecordBatch>;
  /** The job's data input only: the raw bytes of this task's ranges, for data that is not lines of text. */
  chunks?(): AsyncIterable<Uint8Array>;
  /**
   * A CSV input with a header line only: its column names, read once when the job was created (every batch has them
   * too: `batch.column(name)` is a field's index).
   */
  columns?: readonly string[];
  /**
   * Aborted when this attempt should stop: it passed its time limit (the job's task timeout, or what its worker has
   * left), or the job was cancelled or failed. Its `reason` says which. A kernel that runs long checks it between steps
   * (`task.signal?.throwIfAborted()`) or hands it to what it waits on (`fetch(url, { signal })`). One that does not
   * stop is stopped: a task still running a moment after its limit, or after its job ended, ends its worker's process.
   * Absent when the pipeline does not run the task (a kernel's own tests).
   */
  signal?: AbortSignal;
  /**
   * The job's data input only: any byte range of the task's objects, pinned to the version its slices name, for data
   * whose records are not lines (a Parquet file's footer and row groups).
   */
  read?: ByteReader;
  /** A job of several named inputs (`--input NAME=URL`): the one this task reads (`input` when unnamed). */
  table?: string;
}

/** What a kernel's `prepare` may read of a job's data input before the job exists: its first object. */
export interface InputPreview {
  /** The input's first object, whole (`start` 0, `end` its size), pinned to its ETag and size as listed. */
  object: ObjectSlice;
  /** Byte ranges of it. */
  read: ByteReader;
  /** A job of several named inputs (`--input NAME=URL`): each one's first object, by name. */
  tables?: Record<string, ObjectSlice>;
  /** A shuffle job: the column every map output must have, to be partitioned by. */
  partitionBy?: string;
  /** A sort (`sortBy`): the columns every map output must have, of types that sort. */
  sortBy?: string[];
}

/**
 * The whole of a job's data input read in order by one process, for a kernel's serial `reference`: every record of
 * every object once, as the tasks' records together give them, or every byte.
 */
export type WholeInput = Required<Pick<TaskRef, 'records' | 'batches' | 'chunks'>>;

/** What a kernel's `parse` learns of the job besides its params. */
export interface JobShape {
  /** The job names a data input: every task gets `records` (and `batches`, `chunks`). */
  input: boolean;
}

/**
 * How a task reads data from outside the job. The pipeline hands every task the deployment's guarded access
 * (pipeline/data/url-policy.ts, guarded-fetch.ts): a URL reaches only public addresses unless the deployment's `allowHosts` lists it.
 */
export interface DataInputs {
  /** The body of an http(s) URL; rejects with an error whose message may be shown to the job's submitter. */
  fetchUrl(url: string, limits: { maxBytes: number; timeoutMs: number }): Promise<Uint8Array>;
}

/** Thrown by `parse` and `split` for the caller's mistakes; the entry action answers 400 with its message. */
export class KernelInputError extends Error {
  override readonly name = 'KernelInputError';
}

/**
 * A parallel algorithm as OpenWhisk runs it: the job's parameters are parsed once, the job is split into
 * `count` tasks that each derive their own input from (params, task), and the partials are reduced in any order.
 * Partials and results must be JSON-serialisable (binary data as base64 strings).
 */
export interface Kernel<Params, Partial, Result> {
  readonly name: string;
  readonly description: string;
  /**
   * Validates and normalises raw parameters; throws KernelInputError naming the bad field. `job` says whether the job
   * names a data input (absent: it does not).
   */
  parse(raw: Record<string, unknown>, job?: JobShape): Params;
  /** Checks that the job can be cut into `tasks` tasks (throws KernelInputError if not) and returns that count. */
  split(params: Params, tasks: number): number;
  /** Computes one task's partial; `inputs` reads data from outside the job (the strictest access when absent). */
  work(params: Params, task: TaskRef, inputs?: DataInputs): Partial | Promise<Partial>;
  /** Merges all partials (given in any order, one per task) into the result. */
  reduce(params: Params, partials: Partial[]): Result | Promise<Result>;
  /**
   * For a job that names a data input, before the job exists: checks the params against the input (a SQL query against
   * its schema), throwing KernelInputError for the caller's mistakes, and answers the raw params the job keeps (which
   * its tasks then parse), with what it learnt of the input (the schema) added.
   */
  prepare?(params: Params, input: InputPreview): Promise<Record<string, unknown>>;
  /**
   * The serial computation the parallel result must equal (tests and benchmarks use it; the pipeline never calls it).
   * A kernel over a data input reads `input`, the job's whole input (`wholeInputOf` in pipeline/data/job-input.ts).
   */
  reference?(params: Params, input?: WholeInput): Result | Promise<Result>;
  /** Its parameters for `supercompute kernel list`: name → one line saying what it is, with its default. */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * Its tasks mostly wait (timers, remote calls) rather than compute: one worker then runs many at once. Absent: the
   * tasks are CPU-bound and a worker runs one at a time.
   */
  readonly waitsOnIo?: boolean;
  /** Roughly how much serial CPU time the whole job takes (undefined: cannot tell from the params), for sizing a job. */
  estimate?(params: Params): JobEstimate | undefined;
  /** The most tasks `split` accepts for these params, when the kernel has a bound of its own. */
  maxTasks?(params: Params): number;
  /**
   * A shuffle job (`partitionBy`, `reducers`): `work` answers rows (an array of `Row`s, or `Rows`), which the pipeline
   * hash-partitions by the key column into the job's reducers; this runs once per partition over the rows of every
   * named input (`input` when unnamed) that fell into it, and answers the rows of that partition's part of the output.
   * Absent: the kernel cannot run a shuffle job.
   */
  reducePartition?(params: Params, tables: Record<string, Row[]>, partition: PartitionRef): Row[] | Rows | Promise<Row[] | Rows>;
  /** Writes a part in a format the pipeline does not write itself (Parquet); absent: parts are CSV or JSON lines only. */
  writePart?(rows: Rows, format: PartFormat): Promise<Uint8Array>;
  /** Its result is an image: a base64 PNG in the result's `png` field (`supercompute run -o FILE.png` writes it). */
  readonly producesPng?: boolean;
  /**
   * A param that names the job's input (one http(s) URL): `-p url=U` is then `--input U`, cut into tasks like any
   * input rather than fetched whole by every task. `instead` are the params that give the input another way (refused
   * beside it).
   */
  readonly inputParam?: InputParam;
}

/** A kernel's param that is sugar for the job's input. */
export interface InputParam {
  readonly param: string;
  readonly instead?: readonly string[];
}

/** A shuffle job's row: a JSON object, its columns by name. */
export type Row = Record<string, unknown>;

/**
 * Rows of one table, as a shuffle moves them: column names, DuckDB's type of each when the kernel knows it, and each
 * row's values in column order. A kernel's `work` in a shuffle job answers these (or an array of `Row`s).
 */
export interface Rows {
  columns: string[];
  types?: string[];
  rows: unknown[][];
}

/** A shuffle job's reduce task: partition `index` of `count`. */
export interface PartitionRef {
  index: number;
  count: number;
}

/** The formats a dataset's parts are written in. */
export type PartFormat = 'parquet' | 'csv' | 'jsonl';

export interface JobEstimate {
  /** The whole job's serial CPU time, ms (within a factor of two or so). */
  cpuMs: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKernel = Kernel<any, any, any>;
