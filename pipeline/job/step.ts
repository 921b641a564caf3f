// The opening every step of a job shares, written once: secrets registered for masking, the `jobId` checked, the job
// store opened, the job's meta read and its state checked; and the one way a step's failure is answered (and, for a
// step the job cannot go on without, recorded as the job's failure).
import { isJobId } from './ids.ts';
import type { JobState } from './status.ts';
import { errorMessage, registerEnvSecrets } from '../openwhisk/redact.ts';
import { JobStore } from '../store/job-store.ts';
import type { JobMeta } from '../store/meta.ts';
import { getRedis } from '../store/redis.ts';
import { readSettings } from './settings.ts';

type Params = Record<string, unknown>;
type Answer = Record<string, unknown>;

export const MALFORMED_JOB_ID = { error: "missing or malformed parameter 'jobId'" } as const;

/** Registers the activation's secrets for masking; returns its `jobId` parameter, or undefined when it is not one. */
export function jobIdOf(params: Params): string | undefined {
  registerEnvSecrets(params);
  return isJobId(params.jobId) ? params.jobId : undefined;
}

/** The job store on the Redis named by the action's `redisUrl` parameter, with the deployment's key lifetime. */
export async function jobStoreFor(params: Params): Promise<JobStore> {
  const settings = readSettings(params);
  return new JobStore(await getRedis(settings.redisUrl), settings.ttlSeconds);
}

export interface JobStepOptions {
  /** Names the step in its errors: `NAME: reason`. */
  name: string;
  /** The meta with the job's kernel params (default: without). */
  withParams?: boolean;
  /** The answer when the job no longer runs (default `{jobId, skipped: state}`). */
  ended?: (jobId: string, state: JobState, meta: JobMeta) => Answer | Promise<Answer>;
  /** The job cannot go on without this step: its failure fails the job. */
  failsJob?: boolean;
}

/** Runs `step` on a running job, answering a malformed id, an unknown or ended job, and a failure the same way everywhere. */
export async function jobStep(
  params: Params,
  options: JobStepOptions,
  step: (store: JobStore, meta: JobMeta, jobId: string) => Promise<Answer>,
): Promise<Answer> {
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  let store: JobStore | undefined;
  try {
    store = await jobStoreFor(params);
    const meta = await store.meta(jobId, options.withParams === true);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return options.ended ? await options.ended(jobId, meta.state, meta) : { jobId, skipped: meta.state };
    return await step(store, meta, jobId);
  } catch (err) {
    const error = `${options.name}: ${errorMessage(err)}`;
    if (options.failsJob) await store?.failJob(jobId, error).catch(() => {});
    return { jobId, error };
  }
}
