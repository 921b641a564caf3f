// The CLI's plan for a job that did not give both --tasks and --workers: the host's (host/jobs/sizing.ts), with the
// deployment's refusals (unknown kernel, bad params) reported as usage errors.
import type openwhisk from 'openwhisk';
import { sizeForTarget, type AskedSizing, type TargetPlan } from '../host/jobs/sizing.ts';
import type { Target } from '../host/target/target.ts';
import { HttpError } from '../pipeline/openwhisk/http.ts';
import { UsageError } from './params.ts';

export type { AskedSizing };

/** A refusal by the kernel (unknown kernel, bad params: 4xx) is the user's mistake. */
export function usageErrorOf(err: unknown): unknown {
  return err instanceof HttpError && err.statusCode < 500 ? new UsageError(err.message) : err;
}

/** The job's tasks and workers: as asked where asked, the rest planned for the target from the deployed kernel. */
export async function sizeRun(kernel: string, params: Record<string, unknown>, asked: AskedSizing, target: Target, client: openwhisk.Client): Promise<TargetPlan> {
  try {
    return await sizeForTarget(kernel, params, asked, target, client);
  } catch (err) {
    throw usageErrorOf(err);
  }
}
