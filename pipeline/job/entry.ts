// The entry action's work (also a web action): creates a job from the request (create.ts; without `tasks` the job
// sizes itself), starts `split` and the job's supervisor, and answers `{jobId, state, total, workers, plan?}` at once
// or, given `wait` (ms), the job's status if it ends within that time. `cancel: JOBID` cancels a job. An invoke
// through the REST API (`wsk action invoke supercompute ... --result`) without `wait` waits DEFAULT_WAIT_MS, so the
// one-liner answers with the result; the web door and the host's job client (which sends `wait: 0`) answer at once.
import { awaitJob } from './await.ts';
import { createJob } from './create.ts';
import { readSettings } from './settings.ts';
import { HttpError, answer, checkWebCaller, errorResult } from '../openwhisk/http.ts';
import { isJobId } from './ids.ts';
import { integerOf } from './integer.ts';
import { sibling, webBase } from '../openwhisk/names.ts';
import { deadline, invokeAsync, DeadlineError, statusCodeOf } from '../openwhisk/ow.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import { JobStore } from '../store/job-store.ts';
import { getRedis } from '../store/redis.ts';
import { ensureSupervisor } from '../supervisor/remedies.ts';
import { reduceJobIdOf } from '../shuffle/spec.ts';

type Params = Record<string, unknown>;

/**
 * How long a REST invoke without `wait` holds its answer for the job to end, ms: inside OpenWhisk's 60 s blocking
 * window, so a blocking caller gets the result rather than an activation id. (An action cannot see whether its
 * caller blocks; a non-blocking invoke just keeps its activation this long.)
 */
export const DEFAULT_WAIT_MS = 55_000;

/** A web action call carries `__ow_method`; a REST invoke does not. */
const isWebCall = (p: Params): boolean => typeof p.__ow_method === 'string';

function parseWait(p: Params): number {
  if (p.wait === undefined && !isWebCall(p)) return DEFAULT_WAIT_MS;
  if (p.wait === undefined || p.wait === null || p.wait === '' || p.wait === false) return 0;
  // Whole milliseconds as a JSON number, or decimal digits from a form: not `1.5`, `true`, `[5]` or `"0x10"`.
  const wait = integerOf(p.wait);
  if (wait === undefined || wait < 0) throw new HttpError(400, "'wait' must be an integer number of milliseconds >= 0");
  return wait;
}

/** Outstanding tasks stop being started, the job ends `cancelled`, and its keys go but for a small expiring record. */
async function cancelJob(redisUrl: string, jobId: unknown) {
  if (typeof jobId !== 'string' || jobId === '') throw new HttpError(400, "'cancel' must be a job id");
  if (!isJobId(jobId)) throw new HttpError(404, 'unknown job');
  const store = new JobStore(await getRedis(redisUrl));
  const before = await store.cancel(jobId);
  if (before === undefined) throw new HttpError(404, `unknown job ${jobId}`);
  if (before !== 'running') throw new HttpError(409, `job ${jobId} is ${before}; only a running job can be cancelled`);
  // A shuffle job's reduce stage goes with it, and its objects are removed (pipeline/shuffle/stages.ts); a stage
  // created after this is cancelled by the map job's reduce, which finds the map job cancelled.
  if ((await store.meta(jobId, false))?.shuffle !== undefined) {
    const stages = (await store.cancel(reduceJobIdOf(jobId))) === 'running' ? [jobId, reduceJobIdOf(jobId)] : [jobId];
    for (const id of stages) await invokeAsync(sibling('reduce'), { jobId: id }, { deadline: deadline(1000) }).catch(() => {});
  }
  return { jobId, state: 'cancelled' };
}

/** The entry action's answer: a job created and started (and, with `wait`, followed), or a job cancelled. */
export async function enterJob(params: Params) {
  try {
    checkWebCaller(params, process.env.__OW_NAMESPACE);
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

    const running = { jobId, state: 'running', total: spec.total, mode: spec.mode, workers: spec.workers, ...(sizing ? { plan: sizing.why } : {}) };
    if (wait <= 0) return answer(params, running);
    const status = await awaitJob(store, jobId, Math.min(Date.now() + wait, deadline(2000)));
    if (status && status.state !== 'running') return answer(params, { ...status });
    // Still running: where to follow it (relative to the API host the caller used).
    const statusUrl = `${webBase(process.env.__OW_ACTION_NAME ?? '', process.env.__OW_NAMESPACE ?? '_')}status.json?jobId=${encodeURIComponent(jobId)}`;
    return answer(params, { ...(status ?? running), statusUrl });
  } catch (err) {
    return errorResult(params, err);
  }
}
