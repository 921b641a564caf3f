// The library's client: jobs on an OpenWhisk with the pipeline deployed (run a kernel, map a function over inputs),
// the pipeline's deploy, and users' kernels. Jobs are submitted and followed through the host's one job client
// (host/jobs/), and sized as the CLI sizes them (host/jobs/sizing.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type openwhisk from 'openwhisk';
import { ActionError, JobClient } from '../jobs/client.ts';
import { sizeForTarget, type AskedSizing } from '../jobs/sizing.ts';
import { askedMode, type AskedMode, type Mode } from '../../pipeline/job/mode.ts';
import { deployManifest } from '../manifest/deploy-pipeline.ts';
import { deployKernel, listKernels, removeKernel } from '../kernels/index.ts';
import { createClient, resolveTarget, type Target } from '../target/target.ts';
import { HttpError } from '../../pipeline/openwhisk/http.ts';
import type { SizingPlan } from '../../pipeline/sizing/decide.ts';
import { functionSource } from './function-source.ts';
import { kernelObjectModule } from './kernel-object-module.ts';
import type { Kernel } from '../../kernels/types.ts';
import { Job, type WaitOptions } from './job.ts';
import type { LocalOptions } from './local.ts';


/** The mode and workers the options ask for (`workers: 0` is push mode); a contradiction throws. */
function modeOf(options: Pick<RunOptions, 'mode' | 'workers'>): AskedMode {
  const asked = askedMode(options.mode, options.workers);
  if ('error' in asked) throw new ActionError(asked.error, 400, false);
  return asked;
}
export interface SupercomputeOptions {
  /** The OpenWhisk API host; default `__OW_API_HOST`, then APIHOST of the wsk property file, then http://127.0.0.1:3233. */
  apihost?: string;
  /** "uuid:key"; default `__OW_API_KEY`, then AUTH of the wsk property file, then the embedded platform's guest key. */
  auth?: string;
  /** Default `__OW_NAMESPACE`, then NAMESPACE of the wsk property file, then `_` (the key's own). */
  namespace?: string;
  /** The Redis the deployed actions use, bound by `deploy()`; default REDIS_URL, else the manifest's default. */
  redisUrl?: string;
  /** Accept the API host's self-signed certificate (`__OW_IGNORE_CERTS=true` also does). */
  insecure?: boolean;
  /**
   * Epoch ms: no request to the API host outlasts it (each request also has its own bound, host/target/api-deadline.ts). The
   * CLI's `run --wait-timeout` sets it.
   */
  deadline?: number;
}

/** A query's answer (the `sql` kernel's result). */
export interface SqlResult {
  columns: string[];
  rows: unknown[][];
}

export interface SqlOptions extends Omit<RunOptions, 'input'>, WaitOptions {
  /** What the query reads: `s3://BUCKET/KEY`, `s3://BUCKET/PREFIX/` or http(s) URLs, CSV (with a header) or Parquet. */
  input: string | string[];
  /** The query over all tasks' answers, as table `partials`. */
  reduce?: string;
  /** `csv` or `parquet`; default: parquet for names ending in .parquet. */
  format?: 'csv' | 'parquet';
}

export interface RunOptions {
  /** Tasks to split the job into; absent: planned for the target. */
  tasks?: number;
  /** `pull` (workers claim the tasks from a queue) or `push` (one activation per task); absent: planned. */
  mode?: Mode;
  /** Pull workers claiming the tasks (0 is the same as `mode: 'push'`); absent: planned. */
  workers?: number;
  /** Workers the target computes at once, for the plan; default the cores here (a local target) or its limits. */
  slots?: number;
  /**
   * The job's data input: `s3://BUCKET/KEY`, `s3://BUCKET/PREFIX/` or http(s) URLs (one or a list); each task reads
   * its slice as `task.records`. The deployment lists and cuts it: by `chunkSize` (bytes or '64MiB'; default 64 MiB),
   * or into `tasks` tasks; the workers are planned there unless given.
   */
  input?: string | string[];
  chunkSize?: number | string;
  /**
   * A shuffle job (with `input`): the rows of every task hash-partitioned by this column into `reducers` partitions
   * (default 1), each reduced by its own task into one part of a dataset at `output` (s3://BUCKET/PREFIX/; default
   * under the job in the results bucket) as `outputFormat` parts; `overwrite` replaces a dataset already there.
   */
  partitionBy?: string;
  /**
   * A sort (with `input`, instead of `partitionBy`): the rows range-partitioned by these columns ("key", "key DESC",
   * "a, b DESC") into `reducers` partitions by split points drawn from the data, each part sorted, so that the parts in
   * order (part-00000, part-00001, …) are sorted as DuckDB's ORDER BY sorts.
   */
  sortBy?: string;
  reducers?: number;
  output?: string;
  outputFormat?: 'parquet' | 'csv' | 'jsonl';
  overwrite?: boolean;
}

export type MapOptions = RunOptions & WaitOptions;

/** A function started with `callAsync`: its job, and its result when awaited. */
export interface Call<Result> {
  job: Job<Result[]>;
  result(options?: WaitOptions): Promise<Result>;
}

type Dict = Record<string, unknown>;

export class Supercompute {
  /** Where the client points, and where each value came from. */
  readonly target: Target;
  readonly openwhisk: openwhisk.Client;
  readonly jobs: JobClient;
  readonly redisUrl: string | undefined;

  /**
   * Missing options are read as the CLI reads them, from `env` (this process's by default): `__OW_API_HOST`/
   * `__OW_API_KEY`/`__OW_NAMESPACE`, then `~/.wskprops` (or WSK_CONFIG_FILE).
   */
  constructor(options: SupercomputeOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.target = resolveTarget(options, env);
    this.openwhisk = createClient(this.target, { deadline: options.deadline });
    this.jobs = new JobClient(this.openwhisk);
    this.redisUrl = options.redisUrl ?? (env.REDIS_URL || undefined);
  }

  /**
   * Everything on this machine: a Redis (REDIS_URL, or a private redis-server when none answers), the embedded
   * platform on a free port and the pipeline deployed on it. `close()` stops what it started.
   */
  static async local(options: LocalOptions = {}): Promise<LocalSupercompute> {
    // Loaded here, not at start-up: the platform is needed only by a client that starts one.
    const { startLocal } = await import('./local.ts');
    const local = await startLocal(options);
    return new LocalSupercompute(local.target, local.redisUrl, local.close);
  }

  /** Deploys the pipeline (manifest.yaml) to the target, its actions bound to `redisUrl` when given. */
  async deploy(options: { params?: Dict } = {}): Promise<void> {
    const params = { ...(this.redisUrl ? { redisUrl: this.redisUrl } : {}), ...options.params };
    await deployManifest(this.openwhisk, { params });
  }

  /**
   * Starts a job of `kernel` on `params`. Without both `tasks` and `workers` it is sized for the target as `supercompute
   * run` sizes it (a kernel this host does not know is sized by the deployment). A job the kernel's checks or the
   * deployment refuse throws an ActionError (400; 413 for params over the deployment's `maxParamsBytes`).
   */
  async run<Result = unknown>(kernel: string, params: Dict = {}, options: RunOptions = {}): Promise<Job<Result>> {
    if (options.input !== undefined) {
      // Only the deployment sees the input's objects, so it cuts the job into tasks and plans it.
      const { tasks, input, chunkSize, partitionBy, sortBy, reducers, output, outputFormat, overwrite } = options;
      const shuffle = Object.fromEntries(Object.entries({ partitionBy, sortBy, reducers, output, outputFormat, overwrite }).filter(([, v]) => v !== undefined));
      const { jobId, total } = await this.jobs.submit({ kernel, params, tasks, ...modeOf(options), input, chunkSize, ...shuffle });
      return new Job<Result>(this.jobs, this.openwhisk, jobId, kernel, total, undefined);
    }
    const asked = { ...modeOf(options), ...(options.tasks !== undefined ? { tasks: options.tasks } : {}), ...(options.slots !== undefined ? { slots: options.slots } : {}) };
    const plan = await this.plan(kernel, params, asked);
    const run = plan ? { tasks: plan.tasks, mode: plan.mode, ...(plan.mode === 'pull' ? { workers: plan.workers } : {}) } : asked;
    const { jobId, total } = await this.jobs.submit({ kernel, params, tasks: run.tasks, mode: run.mode, workers: run.workers });
    return new Job<Result>(this.jobs, this.openwhisk, jobId, kernel, total, plan);
  }

  /** The host's plan from the deployed kernel, or undefined when both counts are given (nothing to plan). */
  private async plan(kernel: string, params: Dict, asked: AskedSizing): Promise<SizingPlan | undefined> {
    if (asked.tasks !== undefined && (asked.mode === 'push' || asked.workers !== undefined)) return undefined;
    try {
      return await sizeForTarget(kernel, params, asked, this.target, this.openwhisk);
    } catch (err) {
      if (err instanceof HttpError) throw new ActionError(err.message, err.statusCode, false);
      throw err;
    }
  }

  /**
   * `fn` on each input, run as one job (the `map` kernel), results in input order. `fn` travels as its source, so it
   * must be self-contained: no variables from outside it (a free variable fails the job, naming it). Inputs and
   * results are JSON.
   */
  async map<Input, Output>(fn: (input: Input) => Output, inputs: readonly Input[], options: MapOptions = {}): Promise<Awaited<Output>[]> {
    if (inputs.length === 0) return [];
    const job = await this.submitMap<Awaited<Output>[]>({ source: functionSource(fn, 'the function given to map'), inputs }, options);
    return job.result(options);
  }

  /** `reduceFn` over the results of `mapFn` on each input (in input order), reduced where the job ends. */
  async mapReduce<Input, Output, Result>(
    mapFn: (input: Input) => Output,
    inputs: readonly Input[],
    reduceFn: (results: Awaited<Output>[]) => Result,
    options: MapOptions = {},
  ): Promise<Result> {
    if (inputs.length === 0) throw new TypeError('mapReduce needs at least one input');
    const source = functionSource(mapFn, 'the function given to mapReduce');
    const reduceSource = functionSource(reduceFn, 'the reduce function given to mapReduce');
    if (reduceFn.constructor?.name === 'AsyncFunction') throw new TypeError('the reduce function given to mapReduce cannot be async: it must return its value');
    const job = await this.submitMap<Result>({ source, inputs, reduceSource }, options);
    return job.result(options);
  }

  /**
   * A SQL query over a data input, run by the built-in `sql` kernel (DuckDB): `map` runs over each task's slice as
   * table `input`; `reduce`, when given, over all the tasks' answers as table `partials` (else the answer is their
   * union, in task order). Answers `{columns, rows}`, integers beyond 2^53 as strings.
   */
  async sql(map: string, options: SqlOptions): Promise<SqlResult> {
    const { input, reduce, format, ...run } = options;
    if (input === undefined) throw new TypeError('sql needs an input: { input: "s3://BUCKET/KEY" } (or URLs)');
    const params: Dict = { map, ...(reduce !== undefined ? { reduce } : {}), ...(format !== undefined ? { format } : {}) };
    const job = await this.run<SqlResult>('sql', params, { ...run, input });
    return job.result(run);
  }

  /** Starts `fn` on one input and answers at once; the call's `result()` waits for it. */
  async callAsync<Input, Output>(fn: (input: Input) => Output, input: Input, options: RunOptions = {}): Promise<Call<Awaited<Output>>> {
    const job = await this.submitMap<Awaited<Output>[]>({ source: functionSource(fn, 'the function given to callAsync'), inputs: [input] }, options);
    return { job, result: async (wait) => (await job.result(wait))[0]! };
  }

  private async submitMap<Result>(params: { source: string; inputs: readonly unknown[]; reduceSource?: string }, options: RunOptions): Promise<Job<Result>> {
    const { tasks, mode, workers, slots } = options;
    try {
      return await this.run<Result>('map', params, { tasks, mode, workers, slots });
    } catch (err) {
      if (err instanceof ActionError && err.statusCode === 413) {
        const bytes = Buffer.byteLength(JSON.stringify(params));
        throw new ActionError(
          `the function and its ${params.inputs.length} inputs are ${bytes} bytes as JSON, more than the deployment takes in one job (${err.message}); ` +
            'split the inputs over several calls, or have a kernel module read them from a URL',
          413,
          false,
        );
      }
      throw err;
    }
  }

  /**
   * Deploys a kernel module (a TypeScript or JavaScript file), or a kernel object whose methods are self-contained (each
   * is sent by its source, as `map` sends a function), as `name` (default: its own).
   */
  async deployKernel(fileOrKernel: string | Kernel<any, any, any>, options: { name?: string; force?: boolean } = {}): ReturnType<typeof deployKernel> {
    if (typeof fileOrKernel === 'string') return deployKernel(this.openwhisk, fileOrKernel, options);
    const dir = await mkdtemp(join(tmpdir(), 'supercompute-kernel-'));
    try {
      const file = join(dir, 'kernel.mjs');
      await writeFile(file, kernelObjectModule(fileOrKernel));
      return await deployKernel(this.openwhisk, file, options);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The kernels deployed on the target. */
  listKernels(): ReturnType<typeof listKernels> {
    return listKernels(this.openwhisk);
  }

  /** Removes a deployed kernel (`force`: even while jobs of it run). */
  removeKernel(name: string, options: { force?: boolean } = {}): ReturnType<typeof removeKernel> {
    return removeKernel(this.openwhisk, name, options);
  }
}

/** A client on the embedded platform `Supercompute.local()` started; `close()` stops it and the Redis it started. */
export class LocalSupercompute extends Supercompute {
  constructor(
    target: Target,
    redisUrl: string,
    private readonly stop: () => Promise<void>,
  ) {
    super({ apihost: target.apihost, auth: target.auth, namespace: target.namespace, redisUrl }, {});
  }

  close(): Promise<void> {
    return this.stop();
  }
}
