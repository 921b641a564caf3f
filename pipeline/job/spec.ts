// A job's spec: the one parser that turns a request into a `JobSpec` with every default applied. Every door uses it:
// the `supercompute` action and its web form, the compositions' `job-create`, the CLI (to refuse a bad job before
// anything is invoked) and the tests. The kernel's own checks run here too (parse, and split into the task count),
// so a bad job is refused before it exists.
import { HttpError } from '../http.ts';
import { findKernel } from '../kernels.ts';
import { errorMessage } from '../redact.ts';
import { DEFAULTS, type JobTuning, type PipelineSettings } from './settings.ts';

export interface JobRequest {
  kernel: string;
  /** The kernel's raw parameters. */
  params: Record<string, unknown>;
  /** Tasks asked for; the kernel's split decides how many the job has. */
  tasks: number;
  /** Pull mode: worker activations that claim tasks from the job's queue; 0 (the default) invokes one per task. */
  workers: number;
}

export interface JobSpec extends JobTuning {
  kernel: string;
  /** The kernel's raw params, JSON. */
  params: string;
  /** Tasks of the job, as the kernel split it. */
  total: number;
  /** Pull mode's worker activations (at most `total`); 0 = one activation per task (push mode). */
  workers: number;
}

/** The limits a request is checked against; the deployment's settings, or the defaults (the CLI's early check). */
export type RequestLimits = Pick<PipelineSettings, 'maxTasks' | 'maxParamsBytes' | 'maxWorkers'>;

/**
 * Default per-job budget of re-invocations: half of the tasks, at least 20. One crashed container loses every
 * run it held (`work` runs several per container), so a few crashes spend many re-invocations at once.
 */
export function defaultRetryBudget(total: number): number {
  return Math.max(20, Math.ceil(total / 2));
}

function parseParams(raw: unknown, maxBytes: number): Record<string, unknown> {
  let value = raw ?? {};
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) > maxBytes) throw new HttpError(413, `'params' is larger than ${maxBytes} bytes`);
    try {
      value = JSON.parse(value);
    } catch {
      throw new HttpError(400, "'params' is not valid JSON");
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, "'params' must be a JSON object");
  if (Buffer.byteLength(JSON.stringify(value)) > maxBytes) throw new HttpError(413, `'params' is larger than ${maxBytes} bytes`);
  return value as Record<string, unknown>;
}

function parseTasks(raw: unknown, maxTasks: number): number {
  if (raw === undefined || raw === null || raw === '') throw new HttpError(400, "missing parameter 'tasks'");
  const tasks = Number(raw);
  if (!Number.isInteger(tasks)) throw new HttpError(400, `'tasks' must be an integer, got ${JSON.stringify(raw).slice(0, 50)}`);
  if (tasks < 1 || tasks > maxTasks) throw new HttpError(400, `'tasks' must be between 1 and ${maxTasks}, got ${tasks}`);
  return tasks;
}

function parseWorkers(raw: unknown, maxWorkers: number): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  const workers = Number(raw);
  if (!Number.isInteger(workers)) throw new HttpError(400, `'workers' must be an integer, got ${JSON.stringify(raw).slice(0, 50)}`);
  if (workers < 1 || workers > maxWorkers) throw new HttpError(400, `'workers' must be between 1 and ${maxWorkers}, got ${workers}`);
  return workers;
}

/** Checks a request's shape: kernel named, params a JSON object within bounds, task and worker counts in range. */
export function parseJobRequest(p: Record<string, unknown>, limits: RequestLimits = DEFAULTS): JobRequest {
  if (typeof p.kernel !== 'string' || p.kernel === '') throw new HttpError(400, "missing parameter 'kernel'");
  const params = parseParams(p.params, limits.maxParamsBytes);
  return { kernel: p.kernel, params, tasks: parseTasks(p.tasks, limits.maxTasks), workers: parseWorkers(p.workers, limits.maxWorkers) };
}

/** Runs the kernel's checks (parse, then split into the asked task count) and fixes every setting of the job. */
export function planJob(request: JobRequest, settings: Omit<PipelineSettings, 'redisUrl' | 'ttlSeconds'> = DEFAULTS): JobSpec {
  const kernel = findKernel(request.kernel);
  let parsed: unknown;
  try {
    parsed = kernel.parse(request.params);
  } catch (err) {
    throw new HttpError(400, `invalid params for kernel '${kernel.name}': ${errorMessage(err)}`);
  }
  let total: number;
  try {
    total = kernel.split(parsed, request.tasks);
  } catch (err) {
    throw new HttpError(400, `cannot split kernel '${kernel.name}' into ${request.tasks} tasks: ${errorMessage(err)}`);
  }
  if (!Number.isInteger(total) || total < 1 || total > settings.maxTasks) {
    throw new HttpError(400, `kernel '${kernel.name}' asks for ${total} tasks; the limit is ${settings.maxTasks}`);
  }
  return {
    kernel: kernel.name,
    params: JSON.stringify(request.params),
    total,
    // More workers than tasks would only find the queue empty.
    workers: Math.min(request.workers, total),
    fanout: settings.fanout,
    leafSize: settings.leafSize,
    concurrency: settings.concurrency,
    retries: settings.retries,
    taskTimeoutMs: settings.taskTimeoutMs,
    retryBudget: settings.retryBudget > 0 ? settings.retryBudget : defaultRetryBudget(total),
    speculation: settings.speculation,
    supervisorMs: settings.supervisorMs,
    probeAfterMs: settings.probeAfterMs,
    startTimeoutMs: settings.startTimeoutMs,
    leaseMs: settings.leaseMs,
  };
}

/** A request, as any door receives it, to the job's spec. */
export function jobSpecOf(p: Record<string, unknown>, settings: Omit<PipelineSettings, 'redisUrl' | 'ttlSeconds'> = DEFAULTS): JobSpec {
  return planJob(parseJobRequest(p, settings), settings);
}
