// Job ids made before ids stopped starting with '-' (about 1 in 64 of them) look like options to a command line.
// `status -- -Ab…` always worked; a bare one is taken as the job id when it has the id's exact shape.
import { isJobId } from '../pipeline/job/ids.ts';

const TAKES_A_JOB_ID = new Set(['status', 'cancel', 'plot']);

/**
 * `argv` (node, script, args...) with a job id that starts with '-' moved behind a `--`, so the parser reads it as
 * the argument it is. Nothing changes for other commands, after a `--`, or for anything but the id's shape.
 */
export function protectJobIds(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const command = args.findIndex((a) => TAKES_A_JOB_ID.has(a));
  const end = args.indexOf('--');
  if (command < 0 || (end >= 0 && end < command)) return [...argv];
  const stop = end < 0 ? args.length : end;
  const at = args.findIndex((a, i) => i > command && i < stop && a.startsWith('-') && isJobId(a));
  if (at < 0) return [...argv];
  const id = args[at];
  const rest = args.filter((_, i) => i !== at);
  const separator = rest.indexOf('--');
  const withId = separator < 0 ? [...rest, '--', id] : [...rest.slice(0, separator + 1), id, ...rest.slice(separator + 1)];
  return [...argv.slice(0, 2), ...withId];
}
