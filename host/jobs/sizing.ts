// A job's tasks and workers as the host plans them for a target, when the request did not give both: the host sees
// the target (its limits, the worker action, whether it runs on this machine) better than the entry action does, so
// it plans and submits both counts. What the kernel contributes (its estimate, bound, whether it waits on I/O) comes
// from the deployed kernel itself. The CLI's `run` and the library plan through here.
import { availableParallelism } from 'node:os';
import type openwhisk from 'openwhisk';
import { readTargetCapacity } from '../target/capacity.ts';
import { HOST_RETRY, isLocalTarget, type Target } from '../target/target.ts';
import { ASK_KERNEL_MS } from '../kernels/ask.ts';
import { resolveKernel } from '../../pipeline/kernel-actions/catalog.ts';
import { askKernelPlan } from '../../pipeline/kernel-actions/control.ts';
import type { OwClient } from '../../pipeline/openwhisk/ow.ts';
import { DEFAULTS } from '../../pipeline/job/settings.ts';
import { askedMode, type Mode } from '../../pipeline/job/mode.ts';
import { HttpError } from '../../pipeline/openwhisk/http.ts';
import type { SizingPlan } from '../../pipeline/sizing/decide.ts';
import { sizeJob, type KernelProfile, type WorkerCapacity } from '../../pipeline/sizing/size-job.ts';

export interface AskedSizing {
  tasks?: number;
  mode?: Mode;
  /** Pull workers. */
  workers?: number;
  /** Workers that compute at once on the target (--slots). */
  slots?: number;
}

/** The worker slots of the target: as asked, the cores here for a target on this machine, else its limits. */
export async function targetWorkerCapacity(asked: AskedSizing, target: Target, client: openwhisk.Client, workerAction: string): Promise<WorkerCapacity> {
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

export type TargetPlan = SizingPlan & { profile: KernelProfile };

/**
 * The job's tasks and workers: as asked where asked, the rest planned for the target from the deployed kernel's
 * profile, in one call to the kernel's control action, which also checks that its split takes the task count. An
 * unknown kernel or bad params is the deployment's refusal (an HttpError, 400), before anything else is asked of the
 * target.
 */
export async function sizeForTarget(kernel: string, params: Record<string, unknown>, given: AskedSizing, target: Target, client: openwhisk.Client): Promise<TargetPlan> {
  const mode = askedMode(given.mode, given.workers);
  if ('error' in mode) throw new HttpError(400, mode.error);
  const asked: AskedSizing = { ...(given.tasks !== undefined ? { tasks: given.tasks } : {}), ...(given.slots !== undefined ? { slots: given.slots } : {}), ...mode };
  const ow = client as unknown as OwClient;
  const deployed = await resolveKernel(ow, kernel, HOST_RETRY);
  const both = asked.tasks !== undefined && (asked.mode === 'push' || asked.workers !== undefined);
  const capacity = both ? undefined : await targetWorkerCapacity(asked, target, client, deployed.tasksAction);
  const answer = await askKernelPlan(
    deployed.controlAction,
    {
      params,
      ...(asked.tasks !== undefined ? { tasks: asked.tasks } : {}),
      ...(asked.mode !== undefined ? { mode: asked.mode } : {}),
      ...(asked.workers !== undefined ? { workers: asked.workers } : {}),
      ...(capacity ? { sizing: { capacity, limits: DEFAULTS } } : {}),
    },
    { deadline: Date.now() + ASK_KERNEL_MS, ow },
  );
  // The control action sizes only a job whose task count is not given; the workers for a given count are planned here.
  const plan = answer.sizing ?? sizeJob(answer.profile, { tasks: asked.tasks, mode: asked.mode, workers: asked.workers }, capacity ?? { slots: 1, slotsFrom: 'not needed' }, DEFAULTS);
  return { ...plan, profile: answer.profile };
}
