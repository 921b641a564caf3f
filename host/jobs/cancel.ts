// Cancelling a running job through the entry action (`{cancel: jobId}`).
import type openwhisk from 'openwhisk';
import type { JobState } from '../../pipeline/job/status.ts';
import { answerError, malformed, stateOf } from './answer.ts';
import { invokeAction } from './invoke.ts';
import { ENTRY_ACTION } from './submit.ts';

/** Throws an ActionError for an unknown job (404) or one that has already ended (409). */
export async function cancelJob(client: openwhisk.Client, jobId: string, action = ENTRY_ACTION): Promise<{ jobId: string; state: JobState }> {
  const answer = await invokeAction(client, action, { cancel: jobId });
  const state = stateOf(answer);
  if (state === undefined) throw answerError(answer) ?? malformed(action, 'no job state', answer);
  return { jobId, state };
}
