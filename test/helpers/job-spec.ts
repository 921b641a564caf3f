// Specs for jobs a test writes straight into the store: made by the pipeline's own parser, with its defaults.
import { DEFAULTS, type JobTuning } from '../../pipeline/job/settings.ts';
import { jobSpecOf, type JobSpec } from '../../pipeline/job/spec.ts';

export function specOf(kernel: string, params: Record<string, unknown>, tasks: number, tuning: Partial<JobTuning> = {}): JobSpec {
  return jobSpecOf({ kernel, params, tasks }, { ...DEFAULTS, ...tuning });
}
