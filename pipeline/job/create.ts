// Creating a job, the same for every door (the `supercompute` action, the compositions' `job-create`): the request
// becomes a spec (spec.ts) and the spec is recorded under a fresh id. A refused request leaves nothing behind.
import { HttpError } from '../http.ts';
import { newJobId } from '../ids.ts';
import { JobStore } from '../store/job-store.ts';
import { getRedis } from '../store/redis.ts';
import type { PipelineSettings } from './settings.ts';
import type { SizingPlan } from './plan.ts';
import { jobPlanOf, type JobSpec } from './spec.ts';

export interface CreatedJob {
  jobId: string;
  spec: JobSpec;
  /** The plan the job followed when the request left its sizing to it. */
  sizing?: SizingPlan;
  store: JobStore;
}

export async function createJob(request: Record<string, unknown>, settings: PipelineSettings): Promise<CreatedJob> {
  const { spec, sizing } = jobPlanOf(request, settings);
  const store = new JobStore(await getRedis(settings.redisUrl), settings.ttlSeconds);
  const jobId = newJobId();
  if (!(await store.create(jobId, spec))) throw new HttpError(503, 'could not create the job (id collision); try again');
  return sizing ? { jobId, spec, sizing, store } : { jobId, spec, store };
}
