// Creating a job, the same for every door (the `supercompute` action, the compositions' `job-create`): the request's
// kernel is resolved to its current version, whose control action checks and plans the job; the spec, pinning that
// version, is recorded under a fresh id. A job naming a data input (`input`) has its objects listed and cut into
// tasks here (pipeline/job/job-input.ts): the task count is the partition count, and each task's slices are stored
// with the spec in one step. A refused request leaves nothing behind.
import { HttpError } from '../http.ts';
import { newJobId } from '../ids.ts';
import { resolveKernel } from '../kernel-catalog.ts';
import { planOnDeployment } from '../kernel-control.ts';
import { deadline, owClient } from '../ow.ts';
import { JobStore } from '../store/job-store.ts';
import { getRedis } from '../store/redis.ts';
import type { PipelineSettings } from './settings.ts';
import type { SizingPlan } from './plan.ts';
import { actionCapacity } from './sizing.ts';
import { parseJobRequest, planJob, type JobSpec } from './spec.ts';
import { dataAccessFor, planJobInput, summarizeInput } from './job-input.ts';

export interface CreatedJob {
  jobId: string;
  spec: JobSpec;
  /** The plan the job followed when the request left its sizing to it. */
  sizing?: SizingPlan;
  store: JobStore;
}

export async function createJob(raw: Record<string, unknown>, settings: PipelineSettings): Promise<CreatedJob> {
  const request = parseJobRequest(raw, settings);
  const ow = owClient();
  const kernel = await resolveKernel(ow, request.kernel);
  const input = await planJobInput(request, () => dataAccessFor(raw, settings.allowHosts));
  if (input && input.tasks.length > settings.maxTasks) {
    throw new HttpError(400, `input: cut into ${input.tasks.length} tasks; the limit is ${settings.maxTasks} (give a larger chunkSize)`);
  }
  const sizingRequest = { sizing: { capacity: actionCapacity(settings.workerSlots), limits: { maxTasks: settings.maxTasks, maxWorkers: settings.maxWorkers, ioTasksPerWorker: settings.ioTasksPerWorker } } };
  const plan = await planOnDeployment(
    kernel.controlAction,
    {
      params: request.params,
      // With an input the tasks are its partitions; the workers are still planned unless asked for.
      ...(input ? { tasks: input.tasks.length, input: true, ...sizingRequest } : request.tasks !== undefined ? { tasks: request.tasks } : sizingRequest),
      ...(request.workers !== undefined ? { workers: request.workers } : {}),
    },
    { deadline: Math.min(Date.now() + 60_000, deadline(5000)), ow },
  );
  const { spec, sizing } = planJob(request, plan, kernel, settings);
  if (input) {
    if (spec.total !== input.tasks.length) {
      throw new HttpError(400, `kernel '${kernel.name}' split its input's ${input.tasks.length} tasks into ${spec.total}; a kernel reading an input must keep the task count`);
    }
    spec.input = input.sources;
    spec.inputSummary = JSON.stringify(summarizeInput(input.tasks));
  }
  const store = new JobStore(await getRedis(settings.redisUrl), settings.ttlSeconds);
  const jobId = newJobId();
  if (!(await store.create(jobId, spec, Date.now(), input?.tasks.map((t) => JSON.stringify(t))))) throw new HttpError(503, 'could not create the job (id collision); try again');
  return sizing ? { jobId, spec, sizing, store } : { jobId, spec, store };
}
