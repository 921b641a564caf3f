// A job's supervisor (pipeline/supervisor/run-supervisor.ts): one activation at a time per running job, holding a
// lease; it looks after the job every period, hands over to a successor near its deadline, and ends with the job.
import { jobStep } from '../pipeline/job/step.ts';
import { superviseJob, supervisorHolder } from '../pipeline/supervisor/run-supervisor.ts';

export function main(params: Record<string, unknown>) {
  const holder = supervisorHolder();
  return jobStep(params, { name: 'supervisor', ended: (jobId, state) => ({ jobId, state }) }, (store, meta, jobId) => superviseJob(holder, store, meta, jobId));
}
