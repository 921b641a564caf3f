// The opening the job actions share: secrets registered for masking, the `jobId` checked, the job store opened.
import { isJobId } from './ids.ts';
import { registerEnvSecrets } from '../openwhisk/redact.ts';
import { JobStore } from '../store/job-store.ts';
import { getRedis } from '../store/redis.ts';
import { readSettings } from './settings.ts';

export const MALFORMED_JOB_ID = { error: "missing or malformed parameter 'jobId'" } as const;

/** Registers the activation's secrets for masking; returns its `jobId` parameter, or undefined when it is not one. */
export function jobIdOf(params: Record<string, unknown>): string | undefined {
  registerEnvSecrets(params);
  return isJobId(params.jobId) ? params.jobId : undefined;
}

/** The job store on the Redis named by the action's `redisUrl` parameter, with the deployment's key lifetime. */
export async function jobStoreFor(params: Record<string, unknown>): Promise<JobStore> {
  const settings = readSettings(params);
  return new JobStore(await getRedis(settings.redisUrl), settings.ttlSeconds);
}
