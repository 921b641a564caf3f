// How a task's failure is reported (and, once its retries are spent, the job's error): its index, the kernel's
// message, and the top of the stack where the kernel threw, so a user's kernel can be debugged from the job's status.
// And whether another attempt could cure it.
import { errorMessage, redact } from '../openwhisk/redact.ts';

const STACK_FRAMES = 4;

export function taskError(index: number, err: unknown): string {
  const message = `task ${index} failed: ${errorMessage(err)}`;
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  if (stack.length === 0) return message;
  // Frames name the bundle file only: where the container unpacked it says nothing.
  const frames = stack.slice(0, STACK_FRAMES).map((l) => `    ${l.trim().replace(/(\(|at )(?:[^()\s]*[\\/])([^\\/()\s]+:\d+:\d+)/, '$1$2')}`);
  return `${message}\n${redact(frames.join('\n'))}`;
}

/**
 * Whether another attempt could succeed. An error that says it cannot (`retryable: false`, such as an input object
 * changed since the split), itself or as the `cause` of what the kernel threw, fails the job at once.
 */
function isRetryable(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { retryable?: unknown }).retryable === false) return false;
  }
  return true;
}

/** The retries a failed attempt may still have: the job's, or none for an error no attempt can cure. */
export function retriesAfter(err: unknown, retries: number): number {
  return isRetryable(err) ? retries : 0;
}
