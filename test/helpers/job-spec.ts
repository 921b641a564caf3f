// Specs for jobs a test writes straight into the store, or checks a door's spec against: made by the pipeline's own
// parser with its defaults, the built-in kernel's checks run in-process (the same kernelPlanOf its control action
// runs), pinned to the kernel version the test's pipeline deployed (startPipeline records them here).
import { kernels } from '../../kernels/index.ts';
import { HttpError } from '../../pipeline/openwhisk/http.ts';
import { kernelVersionActions, type KernelVersionActions } from '../../pipeline/kernel-actions/catalog.ts';
import { kernelPlanOf } from '../../pipeline/job/kernel-checks.ts';
import { DEFAULTS, type JobTuning } from '../../pipeline/job/settings.ts';
import { actionCapacity } from '../../pipeline/sizing/size-job.ts';
import { parseJobRequest, buildSpec, withInputParam, type JobSpec, type PinnedKernel, type PlannedJob, type SpecSettings } from '../../pipeline/job/spec.ts';

const deployed = new Map<string, string>();

/** The versions of the built-in kernels this process's pipeline deployed (name → version). */
export function rememberKernelVersions(versions: ReadonlyArray<{ name: string; version: string }>): void {
  for (const v of versions) deployed.set(v.name, v.version);
}

/** The actions of the deployed version of `kernel` (placeholders when no pipeline was started: store-only tests). */
export function deployedActions(kernel: string): KernelVersionActions {
  return kernelVersionActions(kernel, deployed.get(kernel) ?? 'none', Object.hasOwn(kernels, kernel) && kernels[kernel]!.waitsOnIo === true);
}

/** The actions a job of `kernel` pins in push mode (no workers) or pull mode. */
export function pinnedKernel(kernel: string, mode: 'push' | 'pull' = 'push'): PinnedKernel {
  const v = deployedActions(kernel);
  return { kernelAction: mode === 'push' ? v.pushAction : v.tasksAction, kernelControl: v.controlAction };
}

/** A request, as any door receives it, to its spec and sizing, planned in-process with the built-in kernel. */
export function jobPlanOf(p: Record<string, unknown>, settings: SpecSettings = DEFAULTS): PlannedJob {
  const asked = parseJobRequest(p, settings);
  const kernel = Object.hasOwn(kernels, asked.kernel) ? kernels[asked.kernel]! : undefined;
  if (!kernel) throw new HttpError(400, `unknown kernel '${asked.kernel}'`);
  const request = withInputParam(asked, kernel.inputParam);
  const plan = kernelPlanOf(kernel, {
    params: request.params,
    ...(request.tasks !== undefined ? { tasks: request.tasks } : { sizing: { capacity: actionCapacity(settings.workerSlots), limits: settings } }),
    ...(request.mode ? { mode: request.mode } : {}),
    ...(request.workers !== undefined ? { workers: request.workers } : {}),
  });
  return buildSpec(request, plan, deployedActions(request.kernel), settings);
}

export function jobSpecOf(p: Record<string, unknown>, settings: SpecSettings = DEFAULTS): JobSpec {
  return jobPlanOf(p, settings).spec;
}

export function specOf(kernel: string, params: Record<string, unknown>, tasks: number, tuning: Partial<JobTuning> = {}): JobSpec {
  return jobSpecOf({ kernel, params, tasks }, { ...DEFAULTS, ...tuning });
}
