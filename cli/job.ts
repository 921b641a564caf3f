// Starting a job through the `supercompute` action and following it through the `status` action.
import { setTimeout as sleep } from 'node:timers/promises';
import type openwhisk from 'openwhisk';
import { describeOwError, statusCodeOf } from '../pipeline/ow-error.ts';

export type Dict = Record<string, unknown>;

export interface JobStatus extends Dict {
  jobId: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  done: number;
  total: number;
  result?: unknown;
  error?: unknown;
  timings?: unknown;
}

const MAX_BACKOFF_MS = 5000;

/** A web action's `{statusCode, body}` answer, unwrapped; other results as they are. */
function unwrapWeb(result: Dict): Dict {
  if (typeof result.statusCode === 'number' && 'body' in result && !('jobId' in result)) {
    const body = typeof result.body === 'string' ? safeJson(result.body) : result.body;
    if (result.statusCode >= 400) {
      const msg = typeof body === 'object' && body !== null && 'error' in body ? (body as Dict).error : body;
      throw new Error(String(msg));
    }
    return (typeof body === 'object' && body !== null ? body : { value: body }) as Dict;
  }
  return result;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function activationResult(client: openwhisk.Client, activationId: string): Promise<Dict> {
  let delay = 200;
  for (;;) {
    try {
      const activation = await client.activations.get(activationId);
      const response = activation.response;
      if (response && !response.success) throw Object.assign(new Error('activation failed'), { error: activation });
      return (response?.result ?? {}) as Dict;
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
    }
    await sleep(delay);
    delay = Math.min(MAX_BACKOFF_MS, delay * 2);
  }
}

/**
 * A blocking invoke's result. 429s are retried with backoff (a standalone OpenWhisk allows 60 invokes a minute), and
 * an invoke that outlasts the blocking wait (202) is followed through its activation record.
 */
export async function invokeResult(client: openwhisk.Client, name: string, params: Dict): Promise<Dict> {
  let delay = 250;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = (await client.actions.invoke({ name, params, blocking: true, result: true })) as Dict;
      return unwrapWeb(result);
    } catch (err) {
      const pending = (err as { activationId?: unknown } | undefined)?.activationId;
      if (typeof pending === 'string') return unwrapWeb(await activationResult(client, pending));
      const code = statusCodeOf(err);
      if (code === 404) throw new Error(`action ${name} is not deployed here; run \`supercompute deploy\` first`);
      if (code !== 429 || attempt >= 20) throw new Error(`${name}: ${describeOwError(err)}`);
    }
    await sleep(delay);
    delay = Math.min(MAX_BACKOFF_MS, delay * 2);
  }
}

export interface JobRequest {
  kernel: string;
  params: Dict;
  tasks?: number;
}

export async function submitJob(client: openwhisk.Client, request: JobRequest): Promise<{ jobId: string; total?: number }> {
  const params: Dict = { kernel: request.kernel, params: request.params };
  if (request.tasks !== undefined) params.tasks = request.tasks;
  const answer = await invokeResult(client, 'supercompute', params);
  if (typeof answer.error === 'string') throw new Error(answer.error);
  if (typeof answer.jobId !== 'string') throw new Error(`supercompute answered without a jobId: ${JSON.stringify(answer).slice(0, 300)}`);
  return { jobId: answer.jobId, total: typeof answer.total === 'number' ? answer.total : undefined };
}

export async function fetchStatus(client: openwhisk.Client, jobId: string): Promise<JobStatus> {
  const answer = await invokeResult(client, 'status', { jobId });
  if (typeof answer.error === 'string' && answer.state === undefined) throw new Error(answer.error);
  const state = answer.state ?? answer.status;
  if (state !== 'running' && state !== 'done' && state !== 'failed' && state !== 'cancelled') {
    throw new Error(`status answered with no known state: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  return {
    ...answer,
    jobId: typeof answer.jobId === 'string' ? answer.jobId : jobId,
    state,
    done: Number(answer.done ?? 0),
    total: Number(answer.total ?? 0),
  };
}

export interface WaitOptions {
  /** Time between status polls, ms. */
  pollMs: number;
  /** Give up after this long, ms; 0 = wait as long as it takes. */
  timeoutMs: number;
  onStatus?: (status: JobStatus) => void;
  signal?: AbortSignal;
}

/** Polls until the job is done or failed, or until the timeout (then `timedOut` and the last status). */
export async function waitForJob(
  client: openwhisk.Client,
  jobId: string,
  options: WaitOptions,
): Promise<{ status: JobStatus; timedOut: boolean }> {
  const until = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : Infinity;
  for (;;) {
    const status = await fetchStatus(client, jobId);
    options.onStatus?.(status);
    if (status.state !== 'running') return { status, timedOut: false };
    if (Date.now() + options.pollMs > until) return { status, timedOut: true };
    await sleep(options.pollMs, undefined, { signal: options.signal });
  }
}
