// Run by rule `supercompute-done-reduce` when the last task is done (or by the supervisor, for a lost reduce): asks the
// job's pinned kernel version to reduce (its control action, `op: reduce`: pipeline/reduce/reduce-job.ts), which
// merges the partials and stores the result. Running it twice changes nothing. A shuffle that ended without its
// dataset (failed, cancelled) still goes to its kernel, which removes the shuffle's objects.
import { jobStep } from '../pipeline/job/step.ts';
import { callKernel } from '../pipeline/kernel-actions/control.ts';
import { deadline } from '../pipeline/openwhisk/ow.ts';

export function main(params: Record<string, unknown>) {
  const reduce = (jobId: string, control: string) => callKernel<Record<string, unknown>>(control, 'reduce', { jobId }, { deadline: deadline(1000) });
  const ended = (jobId: string, state: string, meta: { shuffle?: string; kernelControl: string }) =>
    meta.shuffle !== undefined && (state === 'failed' || state === 'cancelled') ? reduce(jobId, meta.kernelControl) : { jobId, state, reduced: false };
  return jobStep(params, { name: 'reduce', ended }, (_store, meta, jobId) => reduce(jobId, meta.kernelControl));
}
