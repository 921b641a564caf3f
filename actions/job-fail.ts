// Composition step, the handler of a `try`: given `{jobId?, reason}`, marks the job failed with the reason (when a
// job was created) and answers the reason as the composition's error. (The reason cannot come as `error`: to a
// composition, any object with an `error` field is a failure, and the handler would be skipped.)
import { redisUrlOf } from '../pipeline/job/settings.ts';
import { isJobId } from '../pipeline/job/ids.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { errorMessage, registerEnvSecrets } from '../pipeline/openwhisk/redact.ts';
import { getRedis } from '../pipeline/store/redis.ts';

export async function main(p: Record<string, unknown>) {
  registerEnvSecrets(p);
  const raw = p.reason ?? p.error ?? 'unknown failure';
  const reason = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (!isJobId(p.jobId)) return { error: reason };
  const jobId = p.jobId;
  try {
    const store = new JobStore(await getRedis(redisUrlOf(p)));
    await store.failJob(jobId, reason);
    const st = await store.status(jobId);
    return { error: `job ${jobId} failed: ${st?.error ?? reason}` };
  } catch (err) {
    return { error: `job ${jobId} failed: ${reason} (and could not be marked failed: ${errorMessage(err)})` };
  }
}
