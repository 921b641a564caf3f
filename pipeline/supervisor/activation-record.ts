// What an ended activation's record says about its task: the supervisor probes the record of a task that has no
// partial. A run the platform stopped at the action's time limit failed (it will time out again, so it counts
// against the task's own retries with the platform's reason); any other end without a partial was a lost run.

/** The part of an OpenWhisk activation record read here. */
export interface ActivationRecordLike {
  annotations?: ReadonlyArray<{ key: string; value: unknown }>;
  response?: { status?: string; result?: unknown };
}

const TIME_LIMIT_MESSAGE = /^The action exceeded its time limits of \d+ milliseconds/;

/** The platform's message when the run was stopped at its time limit (the `timeout` annotation, or the message). */
export function timeLimitExceeded(record: ActivationRecordLike): string | undefined {
  const result = record.response?.result;
  const error = typeof result === 'object' && result !== null ? (result as { error?: unknown }).error : undefined;
  const message = typeof error === 'string' ? error : undefined;
  const annotated = record.annotations?.some((a) => a.key === 'timeout' && a.value === true) ?? false;
  if (message !== undefined && TIME_LIMIT_MESSAGE.test(message)) return message;
  return annotated ? (message ?? 'The action exceeded its time limit.') : undefined;
}
