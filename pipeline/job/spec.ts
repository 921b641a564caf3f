// A job's spec: the one parser that turns a request into a `JobSpec` with every default applied. Every door uses it:
// the `supercompute` action and its web form, the compositions' `job-create`, and the tests. The kernel's own checks
// (parse, sizing, split into the task count: kernel-plan.ts) run in the kernel's control action first, so a bad job
// is refused before it exists; the spec pins the kernel version that planned it.
import type { InputParam } from '../../kernels/types.ts';
import { HttpError } from '../openwhisk/http.ts';
import { integerOf } from './integer.ts';
import { askedMode, type Mode } from './mode.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import { leafCount } from '../dispatch/ranges.ts';
import type { SizingPlan } from '../sizing/decide.ts';
import { DEFAULTS, type JobTuning, type PipelineSettings } from './settings.ts';
import { UrlPolicy } from '../data/url-policy.ts';
import type { KernelPlan } from './kernel-checks.ts';
import type { KernelVersionActions } from '../kernel-actions/catalog.ts';

/**
 * Without `tasks` the job sizes itself (pipeline/sizing/), with `mode` and `workers` if given. With `tasks` but neither
 * `mode` nor `workers` it runs push mode, one activation per task, as it always has through this API.
 */
export interface JobRequest {
  kernel: string;
  /** The kernel's raw parameters. */
  params: Record<string, unknown>;
  /** Tasks asked for; the kernel's split decides how many the job has. Absent: planned. */
  tasks?: number;
  /** How its tasks run; absent: planned (see above). */
  mode?: Mode;
  /** Pull mode's worker activations, each claiming tasks from the job's queue. */
  workers?: number;
  /** The job's data input as given (`input`, or the kernel's `inputParam`: withInputParam); checked when it is listed. */
  input?: unknown;
  /** Bytes per task of the input (job-input.ts checks it). */
  chunkSize?: unknown;
}

const absent = (value: unknown) => value === undefined || value === null || value === '';

/**
 * The request with the kernel's input param (`wordcount -p url=U`: its `inputParam`) moved out of its params into the
 * job's input: one http(s) URL through the URL guard and the ranged reader, so that a large document is cut into tasks
 * like any input rather than fetched whole by every task. Done where a request becomes a job, once the kernel is
 * known, so the kernel sees an input job; its params that give the input another way are refused beside it.
 */
export function withInputParam(request: JobRequest, sugar: InputParam | undefined): JobRequest {
  if (sugar === undefined || request.params[sugar.param] === undefined) return request;
  const { kernel } = request;
  const name = sugar.param;
  const { [name]: url, ...rest } = request.params;
  if (!absent(request.input)) throw new HttpError(400, `${kernel}: give "${name}" or the job's 'input', not both`);
  const other = (sugar.instead ?? []).find((field) => rest[field] !== undefined);
  if (other !== undefined) throw new HttpError(400, `${kernel}: give exactly one of the fields "${other}" and "${name}" (or name the job's input)`);
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url.trim())) throw new HttpError(400, `${kernel}: field "${name}" must be an http or https URL`);
  return { ...request, params: rest, input: url.trim() };
}

/** The kernel version a job runs: its actions, package-qualified (pipeline/kernel-actions/catalog.ts). */
export interface PinnedKernel {
  /** Runs the job's tasks: the version's push action (`op: work`) in push mode, its tasks action (`op: worker`) in pull mode. */
  kernelAction: string;
  /** Answers `op: plan | describe | reduce`. */
  kernelControl: string;
}

export interface JobSpec extends JobTuning, PinnedKernel {
  kernel: string;
  /** The kernel's raw params, JSON. */
  params: string;
  /** Tasks of the job, as the kernel split it. */
  total: number;
  /** How its tasks run. */
  mode: Mode;
  /** Pull mode's worker activations (at most `total`); 0 in push mode. */
  workers: number;
  /** The job's data input as the request named it (JSON list of sources); '' or absent: none. */
  input?: string;
  /** A shuffle job's stage, key, reducers and output (JSON ShuffleSpec: pipeline/shuffle/spec.ts); absent: none. */
  shuffle?: string;
  /** What the input was cut into (JSON `InputSummary`: objects, bytes, bytes per task); absent without an input. */
  inputSummary?: string;
  /** Why the job has its task and worker counts, when it sized itself (JSON list of reasons, plan.ts). */
  planWhy?: string;
}

/** The limits a request is checked against; the deployment's settings, or the defaults (the CLI's early check). */
export type RequestLimits = Pick<PipelineSettings, 'maxTasks' | 'maxParamsBytes' | 'maxWorkers'>;

/** The settings a spec is made with. */
export type SpecSettings = Omit<PipelineSettings, 'redisUrl' | 'ttlSeconds'>;

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
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // Nested past what the stack can serialize (a `params` string may be that deep within a body of any size).
    throw new HttpError(400, "'params' is nested too deeply");
  }
  if (Buffer.byteLength(text) > maxBytes) throw new HttpError(413, `'params' is larger than ${maxBytes} bytes`);
  return value as Record<string, unknown>;
}

/** A value as an error message shows it: short, and never the whole of a large or deeply nested one. */
function shown(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'number' && !Number.isFinite(raw)) return 'a number too large to represent';
  return typeof raw === 'object' ? 'an object' : String(raw);
}

/** A count given as an integer, or as a decimal string from forms and the CLI; undefined when not given. */
function parseCount(name: string, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = integerOf(raw);
  if (n === undefined) throw new HttpError(400, `'${name}' must be an integer, got ${shown(raw)}`);
  if (n < min || n > max) throw new HttpError(400, `'${name}' must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** The deployment's `allowHosts`, normalised; a bad entry is a deployment error, reported to every submitter. */
function allowHostsOf(raw: string): string {
  try {
    return new UrlPolicy(raw).allowHosts;
  } catch (err) {
    throw new HttpError(500, errorMessage(err));
  }
}

/** The deployment's `resultsBucket`, which must be a valid S3 bucket name; a bad one is a deployment error. */
function resultsBucketOf(name: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..')) {
    throw new HttpError(500, `the deployment's resultsBucket "${name}" is not a valid S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)`);
  }
  return name;
}

/** Checks a request's shape: kernel named, params a JSON object within bounds, task and worker counts in range. */
export function parseJobRequest(p: Record<string, unknown>, limits: RequestLimits = DEFAULTS): JobRequest {
  if (typeof p.kernel !== 'string' || p.kernel === '') throw new HttpError(400, "missing parameter 'kernel'");
  const request: JobRequest = { kernel: p.kernel, params: parseParams(p.params, limits.maxParamsBytes) };
  if (!absent(p.input)) request.input = p.input;
  if (!absent(p.chunkSize)) request.chunkSize = p.chunkSize;
  const tasks = parseCount('tasks', p.tasks, 1, limits.maxTasks);
  if (tasks !== undefined) request.tasks = tasks;
  const asked = askedMode(p.mode, parseCount('workers', p.workers, 0, limits.maxWorkers));
  if ('error' in asked) throw new HttpError(400, asked.error);
  return Object.assign(request, asked);
}

/**
 * Each leaf's window of outstanding tasks: `taskWindow`, cut so that a push job of `total` tasks keeps at most
 * `maxTasksInFlight` outstanding over all its leaves (at least one each). A pull job's leaves start workers, unwindowed.
 */
export function pushTaskWindow(total: number | undefined, settings: Pick<SpecSettings, 'taskWindow' | 'maxTasksInFlight' | 'fanout' | 'leafSize'>): number {
  const { taskWindow, maxTasksInFlight } = settings;
  if (total === undefined || maxTasksInFlight === 0) return taskWindow;
  const share = Math.max(1, Math.floor(maxTasksInFlight / leafCount(total, settings.fanout, settings.leafSize)));
  return taskWindow === 0 ? share : Math.min(taskWindow, share);
}

/** A job's spec and, when the job sized itself, the plan it followed. */
export interface PlannedJob {
  spec: JobSpec;
  sizing?: SizingPlan;
}

/**
 * The job's spec from its request and its kernel's plan (the kernel's checks, run by the kernel's control action), with
 * every setting fixed.
 */
export function buildSpec(request: JobRequest, plan: KernelPlan, version: KernelVersionActions, settings: SpecSettings = DEFAULTS): PlannedJob {
  const { sizing } = plan;
  const mode: Mode = sizing?.mode ?? request.mode ?? (request.workers !== undefined ? 'pull' : 'push');
  const workers = mode === 'push' ? 0 : (sizing?.workers ?? request.workers ?? 1);
  const total = plan.total;
  const kernel = { name: plan.profile.kernel };
  if (total === undefined || !Number.isInteger(total) || total < 1 || total > settings.maxTasks) {
    throw new HttpError(400, `kernel '${kernel.name}' asks for ${total} tasks; the limit is ${settings.maxTasks}`);
  }
  const spec: JobSpec = {
    kernel: kernel.name,
    kernelAction: mode === 'pull' ? version.tasksAction : version.pushAction,
    kernelControl: version.controlAction,
    params: JSON.stringify(request.params),
    total,
    mode,
    // More workers than tasks would only find the queue empty.
    workers: Math.min(workers, total),
    fanout: settings.fanout,
    leafSize: settings.leafSize,
    concurrency: settings.concurrency,
    taskWindow: pushTaskWindow(mode === 'pull' ? undefined : total, settings),
    retries: settings.retries,
    taskTimeoutMs: settings.taskTimeoutMs,
    retryBudget: settings.retryBudget > 0 ? settings.retryBudget : defaultRetryBudget(total),
    speculation: settings.speculation,
    supervisorMs: settings.supervisorMs,
    probeAfterMs: settings.probeAfterMs,
    startTimeoutMs: settings.startTimeoutMs,
    leaseMs: settings.leaseMs,
    ioTasksPerWorker: settings.ioTasksPerWorker,
    allowHosts: allowHostsOf(settings.allowHosts),
    inlineResultBytes: settings.inlineResultBytes,
    resultsBucket: resultsBucketOf(settings.resultsBucket),
  };
  if (sizing) spec.planWhy = JSON.stringify(sizing.why);
  return sizing ? { spec, sizing } : { spec };
}
