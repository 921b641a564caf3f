// Creating a job, the same for every door (the `supercompute` action, the compositions' `job-create`): the request's
// kernel is resolved to its current version, whose control action checks and plans the job; the spec, pinning that
// version, is recorded under a fresh id. A job naming a data input (`input`) has its objects listed and cut into
// tasks here (pipeline/data/job-input.ts): the task count is the partition count, and each task's slices are stored
// with the spec in one step. A refused request leaves nothing behind.
import { HttpError } from '../openwhisk/http.ts';
import { newJobId } from './ids.ts';
import type { Mode } from './mode.ts';
import { resolveKernel } from '../kernel-actions/catalog.ts';
import { askKernelPlan } from '../kernel-actions/control.ts';
import { deadline, owClient } from '../openwhisk/ow.ts';
import { JobStore } from '../store/job-store.ts';
import { getRedis } from '../store/redis.ts';
import type { PipelineSettings } from './settings.ts';
import type { SizingPlan } from '../sizing/decide.ts';
import { actionCapacity } from '../sizing/size-job.ts';
import { parseJobRequest, buildSpec, withInputParam, type JobSpec } from './spec.ts';
import { dataAccessFor, cutJobInput, summarizeInput } from '../data/job-input.ts';
import type { ObjectSlice, TaskInput } from '../data/objects.ts';
import { MANIFEST_NAME } from '../shuffle/dataset.ts';
import { datasetUrl, parseShuffleRequest, type ShuffleSpec } from '../shuffle/spec.ts';
import { shuffleObjectsFor } from '../shuffle/store-objects.ts';
import type { KernelPlan } from './kernel-checks.ts';

export interface CreatedJob {
  jobId: string;
  spec: JobSpec;
  /** The plan the job followed when the request left its sizing to it. */
  sizing?: SizingPlan;
  store: JobStore;
}

/** The input's first object, whole, pinned as listed; a Parquet object with its first slice's footer (its schema). */
function firstObject(tasks: TaskInput[]): ObjectSlice {
  const { object, etag, size, footer } = tasks[0].slices[0];
  return { object, start: 0, ...(size !== undefined ? { end: size, size } : {}), ...(etag !== undefined ? { etag } : {}), ...(footer !== undefined ? { footer } : {}) };
}

/** Each named input's first object, for a kernel that checks its params against each. */
function firstObjects(tasks: TaskInput[]): Record<string, ObjectSlice> | undefined {
  if (!tasks.some((t) => t.table !== undefined)) return undefined;
  const out: Record<string, ObjectSlice> = {};
  for (const t of tasks) if (t.table !== undefined && !out[t.table]) out[t.table] = firstObject([t]);
  return out;
}

/** A shuffle request checked against the deployment (an object store to shuffle through) and its output's prefix. */
async function checkShuffle(raw: Record<string, unknown>, settings: PipelineSettings, shuffle: ShuffleSpec, mode: Mode | undefined): Promise<void> {
  const objects = shuffleObjectsFor(raw);
  if (!objects || settings.resultsBucket === '') {
    throw new HttpError(400, 'partitionBy: a shuffle goes through the object store, and this deployment has none (set AWS_ENDPOINT_URL / AWS_ACCESS_KEY_ID and a resultsBucket)');
  }
  if (mode === 'push') throw new HttpError(400, "partitionBy: a shuffle job runs pull workers; give 'workers' of at least 1, or leave it out");
  if (shuffle.output && !shuffle.overwrite && (await objects.exists(shuffle.output.bucket, `${shuffle.output.prefix}${MANIFEST_NAME}`))) {
    throw new HttpError(400, `output: ${datasetUrl(shuffle.output)} already holds a dataset; give overwrite to replace it`);
  }
}

/** The shuffle's output and format settled with what the kernel can do. */
function settleShuffle(shuffle: ShuffleSpec, plan: KernelPlan, jobId: string, resultsBucket: string): string {
  const { profile } = plan;
  if (!profile.shuffles) throw new HttpError(400, `partitionBy: kernel '${profile.kernel}' cannot run a shuffle job (it has no reducePartition)`);
  const format = shuffle.format ?? (profile.writesParquet ? 'parquet' : 'jsonl');
  if (format === 'parquet' && !profile.writesParquet) throw new HttpError(400, `outputFormat: kernel '${profile.kernel}' cannot write Parquet parts; give csv or jsonl`);
  return JSON.stringify({ ...shuffle, format, output: shuffle.output ?? { bucket: resultsBucket, prefix: `jobs/${jobId}/output/` } });
}

export async function createJob(raw: Record<string, unknown>, settings: PipelineSettings): Promise<CreatedJob> {
  const asked = parseJobRequest(raw, settings);
  const shuffle = parseShuffleRequest(raw, settings.maxTasks);
  if (shuffle) await checkShuffle(raw, settings, shuffle, asked.mode);
  const ow = owClient();
  const kernel = await resolveKernel(ow, asked.kernel);
  const request = withInputParam(asked, kernel.inputParam);
  const input = await cutJobInput(request, () => dataAccessFor(raw, settings.allowHosts));
  if (input && input.tasks.length > settings.maxTasks) {
    throw new HttpError(400, `input: cut into ${input.tasks.length} tasks; the limit is ${settings.maxTasks} (give a larger chunkSize)`);
  }
  const sizingRequest = { sizing: { capacity: actionCapacity(settings.workerSlots), limits: { maxTasks: settings.maxTasks, maxWorkers: settings.maxWorkers, ioTasksPerWorker: settings.ioTasksPerWorker } } };
  const plan = await askKernelPlan(
    kernel.controlAction,
    {
      params: request.params,
      // With an input the tasks are its partitions; the workers are still planned unless asked for.
      ...(input ? { tasks: input.tasks.length, input: true, inputObject: firstObject(input.tasks), allowHosts: settings.allowHosts, ...sizingRequest } : request.tasks !== undefined ? { tasks: request.tasks } : sizingRequest),
      ...(input && firstObjects(input.tasks) ? { inputObjects: firstObjects(input.tasks) } : {}),
      ...(shuffle ? { partitionBy: shuffle.key, ...(shuffle.sort ? { sortBy: shuffle.sort.map((c) => c.column) } : {}) } : {}),
      ...(request.mode ? { mode: request.mode } : {}),
      ...(request.workers !== undefined ? { workers: request.workers } : {}),
    },
    { deadline: Math.min(Date.now() + 60_000, deadline(5000)), ow },
  );
  // A kernel that checked its params against the input keeps what it learnt of it (a SQL kernel: the schema).
  const { spec, sizing } = buildSpec(plan.params ? { ...request, params: plan.params } : request, plan, kernel, settings);
  if (input) {
    if (spec.total !== input.tasks.length) {
      throw new HttpError(400, `kernel '${kernel.name}' split its input's ${input.tasks.length} tasks into ${spec.total}; a kernel reading an input must keep the task count`);
    }
    spec.input = input.sources;
    spec.inputSummary = JSON.stringify(summarizeInput(input.tasks));
  }
  const jobId = newJobId();
  if (shuffle) {
    spec.shuffle = settleShuffle(shuffle, plan, jobId, spec.resultsBucket);
    // Without an input's sizing, a job of tasks would run push mode; a shuffle's stages run pull workers.
    if (spec.mode === 'push') Object.assign(spec, { mode: 'pull', workers: Math.min(spec.total, settings.maxWorkers) });
    spec.kernelAction = kernel.tasksAction;
  }
  const store = new JobStore(await getRedis(settings.redisUrl), settings.ttlSeconds);
  if (!(await store.create(jobId, spec, Date.now(), input?.tasks.map((t) => JSON.stringify(t))))) throw new HttpError(503, 'could not create the job (id collision); try again');
  return sizing ? { jobId, spec, sizing, store } : { jobId, spec, store };
}
