// Entry action (also a web action): creates a job from the request and starts it, answering at once or, given `wait`
// (ms), with the job's status if it ends within that time; `cancel: JOBID` cancels a job (pipeline/job/entry.ts).
import { enterJob } from '../pipeline/job/entry.ts';
import { registerEnvSecrets } from '../pipeline/openwhisk/redact.ts';

export function main(params: Record<string, unknown>) {
  registerEnvSecrets(params);
  return enterJob(params);
}
