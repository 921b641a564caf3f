// Starting a job through the entry action (`supercompute`).
import type { Mode } from '../../pipeline/job/mode.ts';
import type openwhisk from 'openwhisk';
import type { JobState, JobStatus } from '../../pipeline/job/status.ts';
import { answerError, malformed, stateOf, type Answer } from './answer.ts';
import { invokeAction } from './invoke.ts';
import { jobStatusFrom } from './status.ts';

export const ENTRY_ACTION = 'supercompute';

export interface JobRequest {
  kernel: string;
  params: Answer;
  tasks?: number;
  /**
   * The job's data input: `s3://BUCKET/KEY`, `s3://BUCKET/PREFIX/` or http(s) URLs (one or a list). The task count is
   * then the number of pieces it is cut into: by `chunkSize` (bytes, or e.g. '64MiB'), or into `tasks` tasks.
   */
  input?: string | string[];
  chunkSize?: number | string;
  /** A shuffle job's fields (the library's RunOptions say what they do). */
  partitionBy?: string;
  sortBy?: string;
  reducers?: number;
  output?: string;
  outputFormat?: 'parquet' | 'csv' | 'jsonl';
  overwrite?: boolean;
  /** How its tasks run (the entry action's `mode`); absent: the entry action decides (pipeline/job/spec.ts). */
  mode?: Mode;
  /** Pull mode's worker activations claiming the job's tasks; absent: planned. */
  workers?: number;
  /**
   * Let the entry action hold its answer up to this long, ms, for the job to end (its `wait` parameter). Absent: 0, an
   * answer at once (the action's own default for REST invokes is to wait).
   */
  waitMs?: number;
}

export interface SubmittedJob {
  jobId: string;
  state: JobState;
  total: number;
  /** Pull workers draining its tasks (0: push mode, one activation per task), when the entry action says. */
  workers?: number;
  /** The job's status, when it ended within `waitMs`. */
  ended?: JobStatus;
}

/** Starts the job. Throws an ActionError when the entry action refuses it (bad kernel or params: 400) or cannot be reached. */
export async function submitJob(client: openwhisk.Client, request: JobRequest, action = ENTRY_ACTION): Promise<SubmittedJob> {
  const params: Answer = { kernel: request.kernel, params: request.params };
  if (request.tasks !== undefined) params.tasks = request.tasks;
  if (request.mode !== undefined) params.mode = request.mode;
  if (request.workers !== undefined) params.workers = request.workers;
  if (request.input !== undefined) params.input = request.input;
  if (request.chunkSize !== undefined) params.chunkSize = request.chunkSize;
  for (const field of ['partitionBy', 'sortBy', 'reducers', 'output', 'outputFormat', 'overwrite'] as const) if (request[field] !== undefined) params[field] = request[field];
  params.wait = request.waitMs ?? 0;
  const answer = await invokeAction(client, action, params);
  const state = stateOf(answer);
  if (state === undefined) throw answerError(answer) ?? malformed(action, 'no job state', answer);
  if (typeof answer.jobId !== 'string') throw malformed(action, 'no jobId', answer);
  const total = Number(answer.total);
  if (!Number.isInteger(total)) throw malformed(action, 'no task count', answer);
  const submitted: SubmittedJob = { jobId: answer.jobId, state, total };
  if (Number.isInteger(answer.workers)) submitted.workers = Number(answer.workers);
  if (state !== 'running') submitted.ended = jobStatusFrom(action, answer, answer.jobId);
  return submitted;
}
