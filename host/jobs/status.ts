// One look at a job through the `status` action.
import type openwhisk from 'openwhisk';
import { MAX_STATUS_WAIT_MS, type JobStatus } from '../../pipeline/job/status.ts';
import { answerError, malformed, stateOf, type Answer } from './answer.ts';
import { invokeAction } from './invoke.ts';

/** A job status from an answer that carries one (the `status` action's, or the entry action's when it waited). */
export function jobStatusFrom(action: string, answer: Answer, jobId: string): JobStatus {
  const state = stateOf(answer);
  if (state === undefined) throw answerError(answer) ?? malformed(action, 'no known job state', answer);
  return {
    ...(answer as Partial<JobStatus>),
    jobId: typeof answer.jobId === 'string' ? answer.jobId : jobId,
    state,
    done: Number(answer.done ?? 0),
    total: Number(answer.total ?? 0),
    kernel: String(answer.kernel ?? ''),
  };
}

/**
 * How long a `status` activation may take beyond the wait it was asked for before it is taken for lost, ms: its time
 * limit (30 s in the manifest) and some queueing.
 */
export const STATUS_ANSWER_MARGIN_MS = 45_000;

/**
 * The job's status now or, given `waitMs`, once it ends should it end within that long (a long-poll; a deployment
 * whose `status` knows no `waitMs` answers at once). Throws an ActionError for an unknown job (404), or a transient one
 * when no answer could be had by `deadline` (epoch ms; default `waitMs` + STATUS_ANSWER_MARGIN_MS from now).
 */
export async function readJobStatus(client: openwhisk.Client, jobId: string, waitMs = 0, deadline?: number): Promise<JobStatus> {
  const params: Answer = { jobId };
  const holdMs = Math.min(Math.max(0, Math.round(waitMs)), MAX_STATUS_WAIT_MS);
  if (holdMs > 0) params.waitMs = holdMs;
  const answer = await invokeAction(client, 'status', params, { deadline: deadline ?? Date.now() + holdMs + STATUS_ANSWER_MARGIN_MS });
  return jobStatusFrom('status', answer, jobId);
}
