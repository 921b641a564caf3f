// Entry action (also a web action): validates a job, records it, starts `split` and the job's watchdog, and answers
// at once or, given `wait` (ms), with the result if the job finishes within that time. `cancel: JOBID` cancels a job.
import { readConfig } from '../pipeline/job/config.ts';
import { HttpError, answer, errorResult } from '../pipeline/http.ts';
import { newJobId } from '../pipeline/ids.ts';
import { JobStore, type JobStatus } from '../pipeline/store/job-store.ts';
import { findKernel, prepare } from '../pipeline/kernels.ts';
import { sibling } from '../pipeline/names.ts';
import { deadline, invokeAsync, DeadlineError, statusCodeOf } from '../pipeline/ow.ts';
import { errorMessage, registerEnvSecrets } from '../pipeline/redact.ts';
import { getRedis } from '../pipeline/store/redis.ts';
import { ensureWatchdog, watchJob } from '../pipeline/supervisor/watch.ts';
import { defaultRetryBudget, Recovery } from '../pipeline/store/recovery.ts';
import { isJobId } from '../pipeline/ids.ts';

type Params = Record<string, unknown>;

interface JobRequest {
  kernel: string;
  raw: Record<string, unknown>;
  tasks: number;
  wait: number;
}

function parseRequest(p: Params, maxTasks: number, maxParamsBytes: number): JobRequest {
  if (typeof p.kernel !== 'string' || p.kernel === '') throw new HttpError(400, "missing parameter 'kernel'");
  let raw: unknown = p.params ?? {};
  if (typeof raw === 'string') {
    if (Buffer.byteLength(raw) > maxParamsBytes) throw new HttpError(413, `'params' is larger than ${maxParamsBytes} bytes`);
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new HttpError(400, "'params' is not valid JSON");
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, "'params' must be a JSON object");
  if (Buffer.byteLength(JSON.stringify(raw)) > maxParamsBytes) {
    throw new HttpError(413, `'params' is larger than ${maxParamsBytes} bytes`);
  }
  if (p.tasks === undefined || p.tasks === null || p.tasks === '') throw new HttpError(400, "missing parameter 'tasks'");
  const tasks = Number(p.tasks);
  if (!Number.isInteger(tasks)) throw new HttpError(400, `'tasks' must be an integer, got ${JSON.stringify(p.tasks).slice(0, 50)}`);
  if (tasks < 1 || tasks > maxTasks) throw new HttpError(400, `'tasks' must be between 1 and ${maxTasks}, got ${tasks}`);
  let wait = 0;
  if (p.wait !== undefined && p.wait !== null && p.wait !== '' && p.wait !== false) {
    wait = Number(p.wait);
    if (!Number.isFinite(wait) || wait < 0) throw new HttpError(400, "'wait' must be a number of milliseconds >= 0");
  }
  return { kernel: p.kernel, raw: raw as Record<string, unknown>, tasks, wait };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(store: JobStore, jobId: string, until: number): Promise<JobStatus | undefined> {
  let delay = 50;
  for (;;) {
    const st = await store.status(jobId);
    if (!st || st.state !== 'running' || Date.now() + delay >= until) return st;
    await watchJob(store, st);
    await sleep(delay);
    delay = Math.min(500, delay * 1.5);
  }
}

/** Outstanding tasks stop being started, the job ends `cancelled`, and its keys go but for a small expiring record. */
async function cancelJob(redisUrl: string, jobId: unknown) {
  if (typeof jobId !== 'string' || jobId === '') throw new HttpError(400, "'cancel' must be a job id");
  if (!isJobId(jobId)) throw new HttpError(404, 'unknown job');
  const before = await new Recovery(await getRedis(redisUrl)).cancel(jobId);
  if (before === undefined) throw new HttpError(404, `unknown job ${jobId}`);
  if (before !== 'running') throw new HttpError(409, `job ${jobId} is ${before}; only a running job can be cancelled`);
  return { jobId, status: 'cancelled' };
}

export async function main(params: Params) {
  registerEnvSecrets(params);
  try {
    const cfg = readConfig(params);
    if (params.cancel !== undefined) return await cancelJob(cfg.redisUrl, params.cancel);
    const req = parseRequest(params, cfg.maxTasks, cfg.maxParamsBytes);
    const kernel = findKernel(req.kernel);
    const { total } = prepare(kernel, req.raw, req.tasks);
    if (!Number.isInteger(total) || total < 1 || total > cfg.maxTasks) {
      throw new HttpError(400, `kernel '${kernel.name}' asks for ${total} tasks; the limit is ${cfg.maxTasks}`);
    }

    const store = new JobStore(await getRedis(cfg.redisUrl), cfg.ttlSeconds);
    const jobId = newJobId();
    const spec = {
      kernel: kernel.name,
      params: JSON.stringify(req.raw),
      total,
      fanout: cfg.fanout,
      leafSize: cfg.leafSize,
      concurrency: cfg.concurrency,
      retries: cfg.retries,
      taskTimeoutMs: cfg.taskTimeoutMs,
      retryBudget: cfg.retryBudget > 0 ? cfg.retryBudget : defaultRetryBudget(total),
      speculation: cfg.speculation ? 1 : 0,
      watchdogMs: cfg.watchdogMs,
      probeAfterMs: cfg.probeAfterMs,
      startTimeoutMs: cfg.startTimeoutMs,
    };
    if (!(await store.create(jobId, spec))) throw new HttpError(503, 'could not create the job (id collision); try again');

    try {
      await invokeAsync(sibling('split'), { jobId }, { deadline: Math.min(Date.now() + 20_000, deadline(3000)) });
    } catch (err) {
      // Nothing will run this job: take it back out so no half-created job stays behind.
      await store.remove(jobId).catch(() => {});
      const code = err instanceof DeadlineError || statusCodeOf(err) === 429 ? 503 : 502;
      throw new HttpError(code, `could not start the job: ${errorMessage(err)}`);
    }
    // Not fatal: workers and status polls start one whenever none holds the job's lease.
    await ensureWatchdog(store.client, jobId, Math.min(Date.now() + 5000, deadline(2000))).catch(() => false);

    if (req.wait <= 0) return { jobId, status: 'running', total };
    const st = await waitFor(store, jobId, Math.min(Date.now() + req.wait, deadline(2000)));
    if (!st) return { jobId, status: 'running', total };
    const { state, ...rest } = st;
    return answer(params, { ...rest, status: state });
  } catch (err) {
    return errorResult(params, err);
  }
}
