// The CLI's plan for a job that did not give both --tasks and --workers: it sees the target (its limits, the worker
// action, whether it runs on this machine) better than the entry action does, so it plans and submits both counts.
// What the kernel contributes (its estimate, bound, whether it waits on I/O) comes from the deployed kernel itself.
import { availableParallelism } from 'node:os';
import type openwhisk from 'openwhisk';
import { readTargetCapacity } from '../host/target-capacity.ts';
import { DEFAULTS } from '../pipeline/job/settings.ts';
import type { SizingPlan } from '../pipeline/job/plan.ts';
import { sizeJob, type KernelProfile, type WorkerCapacity } from '../pipeline/job/sizing.ts';
import { HttpError } from '../pipeline/http.ts';
import { planWithDeployedKernel } from '../host/kernels/ask.ts';
import { UsageError } from './params.ts';
import { isLocalTarget, type Target } from './target.ts';

export interface AskedSizing {
  tasks?: number;
  /** 0: push mode. */
  workers?: number;
  /** Workers that compute at once on the target (--slots). */
  slots?: number;
}

async function capacityOf(asked: AskedSizing, target: Target, client: openwhisk.Client, workerAction: string): Promise<WorkerCapacity> {
  const seen = await readTargetCapacity(target, client, workerAction);
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

/** A refusal by the kernel (unknown kernel, bad params: 4xx) is the user's mistake. */
export function usageErrorOf(err: unknown): unknown {
  return err instanceof HttpError && err.statusCode < 500 ? new UsageError(err.message) : err;
}

export type RunPlan = SizingPlan & { profile: KernelProfile };

/** The job's tasks and workers: as asked where asked, the rest planned for the target from the deployed kernel's profile. */
export async function planRun(kernel: string, params: Record<string, unknown>, asked: AskedSizing, target: Target, client: openwhisk.Client): Promise<RunPlan> {
  let profile: KernelProfile;
  let workerAction: string;
  try {
    // Checked before anything else is asked of the target.
    const answer = await planWithDeployedKernel(client, kernel, { params });
    profile = answer.profile;
    workerAction = answer.deployed.tasksAction;
  } catch (err) {
    throw usageErrorOf(err);
  }
  const both = asked.tasks !== undefined && asked.workers !== undefined;
  const capacity = both ? { slots: 1, slotsFrom: 'not needed' } : await capacityOf(asked, target, client, workerAction);
  return { ...sizeJob(profile, { tasks: asked.tasks, workers: asked.workers }, capacity, DEFAULTS), profile };
}
