// The pipeline's settings: one set of defaults. Each setting comes from an action parameter (bound at deploy time from
// manifest.yaml's inputs, which the entry action and the composition's `job-create` share), falling back to the
// default here. Deployment settings bound the request; job settings are copied into every job's spec.

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** How each job runs: copied into its spec at creation, so every stage reads the same values. */
export interface JobTuning {
  /** Most children one coordinator hands sub-ranges to. */
  fanout: number;
  /** A coordinator with at most this many tasks invokes `work` itself instead of delegating. */
  leafSize: number;
  /** Invocations one coordinator keeps in flight at once. */
  concurrency: number;
  /**
   * Push mode: tasks one leaf coordinator keeps outstanding (invoked, not yet done); it invokes the next when one of
   * its own ends, so a job queues at most leaves × taskWindow runs on the platform. 0 = every task at once.
   */
  taskWindow: number;
  /** Times a failing task is retried before the job fails. */
  retries: number;
  /** A task running longer than this is taken for timed out and retried; keep it above the `work` action's timeout. */
  taskTimeoutMs: number;
  /** Re-invocations of lost or failed tasks one job may spend; 0 = half of its tasks, at least 20. */
  retryBudget: number;
  /** Start a second copy of the slowest outstanding tasks once 90% are done. */
  speculation: boolean;
  /** The job supervisor's period, ms. */
  supervisorMs: number;
  /** A dispatched task's activation record is first looked at this long after its invoke, ms. */
  probeAfterMs: number;
  /** A dispatched task that has not started this long after its invoke is taken for lost (a dropped invoke), ms. */
  startTimeoutMs: number;
  /** Pull mode: a claimed task whose lease is not renewed within this time goes back to the queue, ms. */
  leaseMs: number;
  /** Pull mode: tasks one worker of a kernel that waits on I/O keeps in flight at once. */
  ioTasksPerWorker: number;
  /**
   * Non-public hosts a job's URL inputs may reach (pipeline/data/url-policy.ts): host names, IP addresses and CIDRs,
   * comma-separated; '' = public addresses only.
   */
  allowHosts: string;
  /**
   * A task's partial or the job's result whose JSON is larger than this many bytes goes to the object store (when the
   * actions have one: AWS_* settings) and the job store keeps a reference to it (pipeline/run/large-values.ts).
   */
  inlineResultBytes: number;
  /** The bucket those values go to, under `jobs/JOBID/`; created when missing. */
  resultsBucket: string;
}

export interface PipelineSettings extends JobTuning {
  redisUrl: string;
  /** Lifetime of every key of a job, seconds. */
  ttlSeconds: number;
  maxTasks: number;
  /** Largest accepted JSON encoding of the kernel's params, bytes. */
  maxParamsBytes: number;
  /** Most worker activations a pull-mode job may ask for. */
  maxWorkers: number;
  /**
   * Push mode: tasks one job keeps outstanding at most, over all its leaves (each leaf's window is cut to its share,
   * at least 1), so that one job never takes the whole invoker pool: with the pool full, every other action (the
   * entry action, `status`, another job's coordinators) would wait for a container of the job's to drain. 0 = no
   * bound but the leaves' windows.
   */
  maxTasksInFlight: number;
  /** Workers that compute at once, for sizing a job that does not say (cores or invoker slots); 0 = the cores of the machine running the entry action. */
  workerSlots: number;
}

export const DEFAULTS: Omit<PipelineSettings, 'redisUrl'> = {
  ttlSeconds: 24 * 60 * 60,
  maxTasks: 100_000,
  maxParamsBytes: 256 * 1024,
  maxWorkers: 1000,
  workerSlots: 0,
  fanout: 32,
  leafSize: 64,
  concurrency: 16,
  taskWindow: 16,
  maxTasksInFlight: 256,
  retries: 2,
  taskTimeoutMs: 330_000,
  retryBudget: 0,
  speculation: true,
  supervisorMs: 2000,
  probeAfterMs: 5000,
  startTimeoutMs: 60_000,
  leaseMs: 30_000,
  ioTasksPerWorker: 1000,
  allowHosts: '',
  inlineResultBytes: 256 * 1024,
  resultsBucket: 'supercompute-results',
};

function boolParam(raw: unknown, fallback: boolean): boolean {
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === false || raw === 0 || (typeof raw === 'string' && /^(false|0|no|off)$/i.test(raw.trim()))) return false;
  return true;
}

function intParam(raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

/** A list setting as one comma-separated string; a bad entry is caught where the list is used (the job's spec). */
function listParam(raw: unknown): string {
  if (Array.isArray(raw)) return raw.map(String).join(',');
  return typeof raw === 'string' ? raw.trim() : '';
}

function textParam(raw: unknown, fallback: string): string {
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : fallback;
}

/** The Redis holding the jobs, from the action's `redisUrl` parameter. */
export function redisUrlOf(params: Record<string, unknown>): string {
  return typeof params.redisUrl === 'string' && params.redisUrl.trim() !== '' ? params.redisUrl.trim() : DEFAULT_REDIS_URL;
}

export function readSettings(params: Record<string, unknown>): PipelineSettings {
  const DAY_MS = 24 * 60 * 60 * 1000;
  return {
    redisUrl: redisUrlOf(params),
    ttlSeconds: intParam(params.ttlSeconds, DEFAULTS.ttlSeconds, 60, 365 * 24 * 60 * 60),
    maxTasks: intParam(params.maxTasks, DEFAULTS.maxTasks, 1, 10_000_000),
    maxParamsBytes: intParam(params.maxParamsBytes, DEFAULTS.maxParamsBytes, 1, 64 * 1024 * 1024),
    maxWorkers: intParam(params.maxWorkers, DEFAULTS.maxWorkers, 1, 100_000),
    workerSlots: intParam(params.workerSlots, DEFAULTS.workerSlots, 0, 100_000),
    fanout: intParam(params.fanout, DEFAULTS.fanout, 2, 1000),
    leafSize: intParam(params.leafSize, DEFAULTS.leafSize, 1, 10_000),
    concurrency: intParam(params.concurrency, DEFAULTS.concurrency, 1, 1000),
    taskWindow: intParam(params.taskWindow, DEFAULTS.taskWindow, 0, 100_000),
    maxTasksInFlight: intParam(params.maxTasksInFlight, DEFAULTS.maxTasksInFlight, 0, 10_000_000),
    retries: intParam(params.retries, DEFAULTS.retries, 0, 100),
    taskTimeoutMs: intParam(params.taskTimeoutMs, DEFAULTS.taskTimeoutMs, 1000, DAY_MS),
    retryBudget: intParam(params.retryBudget, DEFAULTS.retryBudget, 0, 10_000_000),
    speculation: boolParam(params.speculation, DEFAULTS.speculation),
    supervisorMs: intParam(params.supervisorMs, DEFAULTS.supervisorMs, 100, 60_000),
    probeAfterMs: intParam(params.probeAfterMs, DEFAULTS.probeAfterMs, 100, DAY_MS),
    startTimeoutMs: intParam(params.startTimeoutMs, DEFAULTS.startTimeoutMs, 500, DAY_MS),
    leaseMs: intParam(params.leaseMs, DEFAULTS.leaseMs, 300, DAY_MS),
    ioTasksPerWorker: intParam(params.ioTasksPerWorker, DEFAULTS.ioTasksPerWorker, 1, 100_000),
    allowHosts: listParam(params.allowHosts),
    inlineResultBytes: intParam(params.inlineResultBytes, DEFAULTS.inlineResultBytes, 1024, 64 * 1024 * 1024),
    resultsBucket: textParam(params.resultsBucket, DEFAULTS.resultsBucket),
  };
}
