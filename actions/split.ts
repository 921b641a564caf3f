// Turns a job's task plan into dispatch (pipeline/dispatch/split.ts): the first level of the coordinator tree, or a
// pull-mode job's workers. Run by the entry action, and as a step of the `supercompute-flow` composition.
import { jobStep } from '../pipeline/job/step.ts';
import { splitJob } from '../pipeline/dispatch/split.ts';

export function main(params: Record<string, unknown>) {
  return jobStep(params, { name: 'split failed', failsJob: true }, splitJob);
}
