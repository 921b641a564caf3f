// A job's tasks and workers as the host plans them for a target, when the request did not give both: the host sees
// the target (its limits, the worker action, whether it runs on this machine) better than the entry action does, so
// it plans and submits both counts. The CLI's `run` and the library plan through here.
import { availableParallelism } from 'node:os';
import type openwhisk from 'openwhisk';
import { readTargetCapacity } from './target-capacity.ts';
import { isLocalTarget, type Target } from './target.ts';
import { DEFAULTS } from '../pipeline/job/settings.ts';
import type { SizingPlan } from '../pipeline/job/plan.ts';
import type { WorkerCapacity } from '../pipeline/job/sizing.ts';

export interface AskedSizing {
  tasks?: number;
  /** 0: push mode. */
  workers?: number;
  /** Workers that compute at once on the target (--slots). */
  slots?: number;
}

/** The worker slots of the target: as asked, the cores here for a target on this machine, else its limits. */
export async function targetWorkerCapacity(asked: AskedSizing, target: Target, client: openwhisk.Client): Promise<WorkerCapacity> {
  const seen = await readTargetCapacity(target, client);
  const limits = { ...(seen.concurrentInvocations !== undefined ? { concurrentInvocations: seen.concurrentInvocations } : {}), ...(seen.workerTimeoutMs !== undefined ? { workerTimeoutMs: seen.workerTimeoutMs } : {}) };
  if (asked.slots !== undefined) return { slots: asked.slots, slotsFrom: `--slots ${asked.slots}`, ...limits };
  if (isLocalTarget(target)) {
    const cores = availableParallelism();
    return { slots: cores, slotsFrom: `${cores} core${cores === 1 ? '' : 's'} on this machine`, ...limits };
  }
  if (seen.concurrentInvocations !== undefined) {
    return { slots: seen.concurrentInvocations, slotsFrom: `the target's ${seen.concurrentInvocations} concurrent invocations; --slots to say otherwise`, ...limits };
  }
  const cores = availableParallelism();
  return { slots: cores, slotsFrom: `the target's limits unknown, ${cores} cores as here; --slots to say otherwise`, ...limits };
}

/**
 * The job's tasks and workers: as asked where asked, the rest planned for the target. An unknown kernel or bad params
 * is an HttpError (400), thrown before anything is asked of the target.
 */
export async function planForTarget(kernel: string, params: Record<string, unknown>, asked: AskedSizing, target: Target, client: openwhisk.Client): Promise<SizingPlan> {
  // Loaded here, not at start-up: the kernels are only needed by the commands that run a job.
  const { parseKernelParams, sizeJob } = await import('../pipeline/job/sizing.ts');
  const job = parseKernelParams(kernel, params);
  const both = asked.tasks !== undefined && asked.workers !== undefined;
  const capacity = both ? { slots: 1, slotsFrom: 'not needed' } : await targetWorkerCapacity(asked, target, client);
  return sizeJob(job.kernel, job.parsed, { tasks: asked.tasks, workers: asked.workers }, capacity, DEFAULTS);
}
