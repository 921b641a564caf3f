// The CLI's plan for a job that did not give both --tasks and --workers: the host's (host/job-sizing.ts), with the
// kernel's own checks reported as a usage error.
import type openwhisk from 'openwhisk';
import { planForTarget, type AskedSizing } from '../host/job-sizing.ts';
import type { Target } from '../host/target.ts';
import type { SizingPlan } from '../pipeline/job/plan.ts';
import { HttpError } from '../pipeline/http.ts';
import { UsageError } from './params.ts';

export type { AskedSizing };

/** The job's tasks and workers: as asked where asked, the rest planned for the target. */
export async function planRun(kernel: string, params: Record<string, unknown>, asked: AskedSizing, target: Target, client: openwhisk.Client): Promise<SizingPlan> {
  try {
    return await planForTarget(kernel, params, asked, target, client);
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 400) throw new UsageError(err.message);
    throw err;
  }
}
