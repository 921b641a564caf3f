// A kernel's checks on a job, run where the kernel is (its control action's `op: plan`, or in-process in tests):
// parse the params, size the job when asked to, and split it into the task count.
import type { AnyKernel } from '../../kernels/types.ts';
import { HttpError } from '../http.ts';
import { integerOf } from '../integer.ts';
import { errorMessage } from '../redact.ts';
import type { SizingPlan } from './plan.ts';
import { parseKernelParams, profileOf, sizeJob, type KernelProfile, type SizingLimits, type WorkerCapacity } from './sizing.ts';

export interface KernelPlanRequest {
  params: Record<string, unknown>;
  /** Split checked for this many tasks. Absent: sized with `sizing` when given, else only the profile. */
  tasks?: number;
  workers?: number;
  sizing?: { capacity: WorkerCapacity; limits: SizingLimits };
  /** The job names a data input: `tasks` is its partition count, and with `sizing` only the workers are planned. */
  input?: boolean;
}

export interface KernelPlan {
  profile: KernelProfile;
  /** The job's task count as the kernel split it (when tasks were given or planned). */
  total?: number;
  /** The plan followed, when the job sized itself. */
  sizing?: SizingPlan;
}

/** A plan request from an action's parameters; malformed ones are the caller's mistake. */
export function planRequestOf(p: Record<string, unknown>): KernelPlanRequest {
  const params = p.params ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new HttpError(400, "'params' must be a JSON object");
  const out: KernelPlanRequest = { params: params as Record<string, unknown> };
  const tasks = p.tasks === undefined ? undefined : integerOf(p.tasks);
  const workers = p.workers === undefined ? undefined : integerOf(p.workers);
  if (p.tasks !== undefined && (tasks === undefined || tasks < 1)) throw new HttpError(400, "'tasks' must be an integer >= 1");
  if (p.workers !== undefined && (workers === undefined || workers < 0)) throw new HttpError(400, "'workers' must be an integer >= 0");
  if (tasks !== undefined) out.tasks = tasks;
  if (workers !== undefined) out.workers = workers;
  if (p.sizing && typeof p.sizing === 'object') out.sizing = p.sizing as KernelPlanRequest['sizing'];
  if (p.input === true) out.input = true;
  return out;
}

export function planWithKernel(kernel: AnyKernel, request: KernelPlanRequest): KernelPlan {
  const { parsed } = parseKernelParams(kernel, request.params, { input: request.input === true });
  const profile = profileOf(kernel, parsed);
  let tasks = request.tasks;
  let sizing: SizingPlan | undefined;
  if ((tasks === undefined || request.input) && request.sizing) {
    const asked = { ...(tasks !== undefined ? { tasks } : {}), ...(request.workers !== undefined ? { workers: request.workers } : {}) };
    sizing = sizeJob(profile, asked, request.sizing.capacity, request.sizing.limits);
    tasks = sizing.tasks;
  }
  if (tasks === undefined) return { profile };
  let total: number;
  try {
    total = kernel.split(parsed, tasks);
  } catch (err) {
    throw new HttpError(400, `cannot split kernel '${kernel.name}' into ${tasks} tasks: ${errorMessage(err)}`);
  }
  return sizing ? { profile, total, sizing } : { profile, total };
}
