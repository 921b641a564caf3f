// What the job actions answer, read the same way everywhere on the host: the job's `state`, and errors that say
// whether asking again may help.
import { isJobState, type JobState } from '../../pipeline/job/status.ts';

/** An action's result, as JSON. */
export type Answer = Record<string, unknown>;

/** The job state an answer carries (every job action answers `state`). */
export function stateOf(answer: Answer): JobState | undefined {
  return isJobState(answer.state) ? answer.state : undefined;
}

/**
 * OpenWhisk, the network or an action said no. `transient`: asking again may get an answer (throttled, the API host
 * or Redis briefly away, a crashed activation); otherwise the same question gets the same no (unknown job, bad input,
 * action not deployed).
 */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  constructor(
    message: string,
    /** The HTTP status behind the error; undefined when no answer came at all. */
    readonly statusCode: number | undefined,
    readonly transient: boolean = statusCode === undefined || statusCode === 429 || statusCode >= 500,
  ) {
    super(message);
  }
}

/**
 * The API host answered 404 for the action itself: it is not deployed there, or not yet again (a platform restarted
 * before the redeploy). Asking again will not help unless someone deploys.
 */
export class ActionNotDeployedError extends ActionError {
  constructor(readonly action: string) {
    super(`action ${action} is not deployed here; run \`supercompute deploy\` first`, 404, false);
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof ActionError && err.transient;
}

/**
 * The error an answer reports (`{error, statusCode}` from the job actions; a crashed or timed-out activation's
 * `{error}` has no status and counts as a 502, OpenWhisk's own code for it), or undefined when it reports none.
 */
export function answerError(answer: Answer): ActionError | undefined {
  if (answer.error === undefined) return undefined;
  const message = typeof answer.error === 'string' ? answer.error : JSON.stringify(answer.error);
  return new ActionError(message, typeof answer.statusCode === 'number' ? answer.statusCode : 502);
}

/** An answer that is not what the action promises: asking again would not mend it. */
export function malformed(action: string, what: string, answer: Answer): ActionError {
  return new ActionError(`${action} answered ${what}: ${JSON.stringify(answer).slice(0, 300)}`, 502, false);
}
