// How a task's failure is reported (and, once its retries are spent, the job's error): its index, the kernel's
// message, and the top of the stack where the kernel threw, so a user's kernel can be debugged from the job's status.
import { errorMessage, redact } from '../redact.ts';

const STACK_FRAMES = 4;

export function taskError(index: number, err: unknown): string {
  const message = `task ${index} failed: ${errorMessage(err)}`;
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  if (stack.length === 0) return message;
  // Frames name the bundle file only: where the container unpacked it says nothing.
  const frames = stack.slice(0, STACK_FRAMES).map((l) => `    ${l.trim().replace(/(\(|at )(?:[^()\s]*[\\/])([^\\/()\s]+:\d+:\d+)/, '$1$2')}`);
  return `${message}\n${redact(frames.join('\n'))}`;
}
