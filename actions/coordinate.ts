// Dispatches the tasks (or, in pull mode, the worker slots) of one index range: pipeline/dispatch/coordinate.ts.
import { jobStep } from '../pipeline/job/step.ts';
import { coordinateRange } from '../pipeline/dispatch/coordinate.ts';
import { parseRange } from '../pipeline/dispatch/ranges.ts';

export async function main(params: Record<string, unknown>) {
  const range = parseRange(params.from, params.to);
  if (!range) return { error: "parameters 'from' and 'to' must be integers with 0 <= from < to" };
  const name = `coordinator for tasks ${range.from}-${range.to} failed`;
  return jobStep(params, { name, failsJob: true }, (store, meta, jobId) => coordinateRange(store, meta, jobId, range));
}
