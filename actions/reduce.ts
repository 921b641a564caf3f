// Run by rule `supercompute-done-reduce` when the last task is done (or by the supervisor, for a lost reduce): asks the
// job's pinned kernel version to reduce (its control action, `op: reduce`: pipeline/reduce/reduce-job.ts), which
// merges the partials and stores the result. Running it twice changes nothing.
import { jobStep } from '../pipeline/job/step.ts';
import { callKernel } from '../pipeline/kernel-actions/control.ts';
import { deadline } from '../pipeline/openwhisk/ow.ts';

export function main(params: Record<string, unknown>) {
  const ended = (jobId: string, state: string) => ({ jobId, state, reduced: false });
  return jobStep(params, { name: 'reduce', ended }, (_store, meta, jobId) =>
    callKernel<Record<string, unknown>>(meta.kernelControl, 'reduce', { jobId }, { deadline: deadline(1000) }),
  );
}
