// Entry action (also a web action): creates a job from the request (pipeline/job/create.ts; without `tasks` the job
// sizes itself), starts `split` and the job's supervisor, and answers `{jobId, state, total, workers, plan?}` at once
// or, given `wait` (ms), the job's status if it ends within that time. `cancel: JOBID` cancels a job.
import { awaitJob } from '../pipeline/job/await.ts';
import { createJob } from '../pipeline/job/create.ts';
import { readSettings } from '../pipeline/job/settings.ts';
import { HttpError, answer, errorResult } from '../pipeline/http.ts';
import { isJobId } from '../pipeline/ids.ts';
import { integerOf } from '../pipeline/integer.ts';
import { sibling } from '../pipeline/names.ts';
import { deadline, invokeAsync, DeadlineError, statusCodeOf } from '../pipeline/ow.ts';
import { errorMessage, registerEnvSecrets } from '../pipeline/redact.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { getRedis } from '../pipeline/store/redis.ts';
import { ensureSupervisor } from '../pipeline/supervisor/remedies.ts';

type Params = Record<string, unknown>;

function parseWait(p: Params): number {
  if (p.wait === undefined || p.wait === null || p.wait === '' || p.wait === false) return 0;
  // Milliseconds as a JSON number, or decimal digits from a form: not `true`, `[5]` or `"0x10"`.
  const wait = typeof p.wait === 'number' ? p.wait : integerOf(p.wait);
  if (wait === undefined || !Number.isFinite(wait) || wait < 0) throw new HttpError(400, "'wait' must be a number of milliseconds >= 0");
  return wait;
}

/** Outstanding tasks stop being started, the job ends `cancelled`, and its keys go but for a small expiring record. */
async function cancelJob(redisUrl: string, jobId: unknown) {
  if (typeof jobId !== 'string' || jobId === '') throw new HttpError(400, "'cancel' must be a job id");
  if (!isJobId(jobId)) throw new HttpError(404, 'unknown job');
  const before = await new JobStore(await getRedis(redisUrl)).cancel(jobId);
  if (before === undefined) throw new HttpError(404, `unknown job ${jobId}`);
  if (before !== 'running') throw new HttpError(409, `job ${jobId} is ${before}; only a running job can be cancelled`);
  return { jobId, state: 'cancelled' };
}

export async function main(params: Params) {
  registerEnvSecrets(params);
  try {
    const settings = readSettings(params);
    if (params.cancel !== undefined) return answer(params, await cancelJob(settings.redisUrl, params.cancel));
    const wait = parseWait(params);
    const { jobId, spec, sizing, store } = await createJob(params, settings);
    try {
      await invokeAsync(sibling('split'), { jobId }, { deadline: Math.min(Date.now() + 20_000, deadline(3000)) });
    } catch (err) {
      // Nothing will run this job: take it back out so no half-created job stays behind.
      await store.remove(jobId).catch(() => {});
      const code = err instanceof DeadlineError || statusCodeOf(err) === 429 ? 503 : 502;
      throw new HttpError(code, `could not start the job: ${errorMessage(err)}`);
    }
    // Not fatal: workers and status polls start one whenever none holds the job's lease.
    await ensureSupervisor(store, jobId, Math.min(Date.now() + 5000, deadline(2000))).catch(() => false);

    const running = { jobId, state: 'running', total: spec.total, workers: spec.workers, ...(sizing ? { plan: sizing.why } : {}) };
    if (wait <= 0) return answer(params, running);
    const status = await awaitJob(store, jobId, Math.min(Date.now() + wait, deadline(2000)));
    return answer(params, { ...(status ?? running) });
  } catch (err) {
    return errorResult(params, err);
  }
}
