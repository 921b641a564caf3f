// One look at a job through the `status` action.
import type openwhisk from 'openwhisk';
import type { JobStatus } from '../../pipeline/job/status.ts';
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

/** The job's status now. Throws an ActionError for an unknown job (404) or when no answer could be had. */
export async function readJobStatus(client: openwhisk.Client, jobId: string): Promise<JobStatus> {
  return jobStatusFrom('status', await invokeAction(client, 'status', { jobId }), jobId);
}
