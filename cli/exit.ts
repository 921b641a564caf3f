// Ending the command without losing output: process.exit() drops what a piped stdout has not yet taken (a large
// `--json` through `| jq` arrived cut at 64 KiB), so the streams are flushed first.
import type { Writable } from 'node:stream';

const PREFIX = 'supercompute: ';

/**
 * The exit code of a command the API host did not answer (in time, or at all): what it asked may or may not have been
 * done. `run` and `status` use it too, for a job whose status could not be read.
 */
export const NO_ANSWER_EXIT = 3;

/** An error line with the command's name once, however the message began. */
export function errorLine(message: string): string {
  return message.startsWith(PREFIX) ? message : PREFIX + message;
}

/**
 * A reader that stops early (`| head`) closes the pipe: what is left has nowhere to go, so the command ends quietly
 * (with the exit code it has so far) instead of with an unhandled EPIPE.
 */
export function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(Number(process.exitCode ?? 0));
    });
  }
}

/** A message about a request that got no answer, naming the API host that gave none (once). */
export function namingHost(message: string, apihost: string): string {
  return message.includes(apihost) ? message : `${message} (the API host: ${apihost})`;
}

/** What a refused connection means, said the same way by every command. */
export function refusedLine(apihost: string): string {
  return `nothing answers at ${apihost} (connection refused): is the platform running? Start one with \`supercompute platform\`, or name yours with --apihost or __OW_API_HOST`;
}

/** Resolves once everything written to `stream` so far has been handed to the OS (or the stream is gone). */
function flushed(stream: Writable): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}

export async function exitWhenFlushed(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
