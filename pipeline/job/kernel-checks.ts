// A kernel's checks on a job, run where the kernel is (its control action's `op: plan`, or in-process in tests):
// parse the params, size the job when asked to, and split it into the task count.
import type { AnyKernel } from '../../kernels/types.ts';
import { KernelInputError } from '../../kernels/types.ts';
import { DataReadError } from '../data/errors.ts';
import type { ByteReader, ObjectSlice } from '../data/objects.ts';
import { HttpError } from '../openwhisk/http.ts';
import { integerOf } from './integer.ts';
import { isMode, type Mode } from './mode.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { SizingPlan } from '../sizing/decide.ts';
import { inputError } from '../data/input-error.ts';
import { parseKernelParams, profileOf, sizeJob, type KernelProfile, type SizingLimits, type WorkerCapacity } from '../sizing/size-job.ts';

export interface KernelPlanRequest {
  params: Record<string, unknown>;
  /** Split checked for this many tasks. Absent: sized with `sizing` when given, else only the profile. */
  tasks?: number;
  mode?: Mode;
  /** Pull workers asked for. */
  workers?: number;
  sizing?: { capacity: WorkerCapacity; limits: SizingLimits };
  /** The job names a data input: `tasks` is its partition count, and with `sizing` only the workers are planned. */
  input?: boolean;
  /** The input's first object, for a kernel that checks its params against the input (`prepare`). */
  inputObject?: ObjectSlice;
  /** The deployment's URL policy for reading `inputObject` when it is a URL. */
  allowHosts?: string;
  /** A job of several named inputs: each one's first object (`inputObject` is the first of them all). */
  inputObjects?: Record<string, ObjectSlice>;
  /** A shuffle job: the key column every map output must have. */
  partitionBy?: string;
  /** A sort: the columns every map output must have, sortable. */
  sortBy?: string[];
}

export interface KernelPlan {
  profile: KernelProfile;
  /** The job's task count as the kernel split it (when tasks were given or planned). */
  total?: number;
  /** The plan followed, when the job sized itself. */
  sizing?: SizingPlan;
  /** The params the job keeps, when the kernel's `prepare` added to them what it learnt of the input. */
  params?: Record<string, unknown>;
}

/** A plan request from an action's parameters; malformed ones are the caller's mistake. */
export function planRequestOf(p: Record<string, unknown>): KernelPlanRequest {
  const params = p.params ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new HttpError(400, "'params' must be a JSON object");
  const out: KernelPlanRequest = { params: params as Record<string, unknown> };
  const tasks = p.tasks === undefined ? undefined : integerOf(p.tasks);
  const workers = p.workers === undefined ? undefined : integerOf(p.workers);
  if (p.tasks !== undefined && (tasks === undefined || tasks < 1)) throw new HttpError(400, "'tasks' must be an integer >= 1");
  if (p.workers !== undefined && (workers === undefined || workers < 1)) throw new HttpError(400, "'workers' must be an integer >= 1");
  if (p.mode !== undefined && !isMode(p.mode)) throw new HttpError(400, "'mode' must be pull or push");
  if (tasks !== undefined) out.tasks = tasks;
  if (isMode(p.mode)) out.mode = p.mode;
  if (workers !== undefined) out.workers = workers;
  if (p.sizing && typeof p.sizing === 'object') out.sizing = p.sizing as KernelPlanRequest['sizing'];
  if (p.input === true) out.input = true;
  if (p.inputObject !== undefined) out.inputObject = inputObjectOf(p.inputObject);
  if (typeof p.allowHosts === 'string') out.allowHosts = p.allowHosts;
  if (p.inputObjects && typeof p.inputObjects === 'object' && !Array.isArray(p.inputObjects)) {
    out.inputObjects = Object.fromEntries(Object.entries(p.inputObjects).map(([name, o]) => [name, inputObjectOf(o)]));
  }
  if (typeof p.partitionBy === 'string') out.partitionBy = p.partitionBy;
  if (Array.isArray(p.sortBy) && p.sortBy.every((c) => typeof c === 'string')) out.sortBy = p.sortBy as string[];
  return out;
}

function inputObjectOf(raw: unknown): ObjectSlice {
  const o = raw as Partial<ObjectSlice> | null;
  if (!o || typeof o !== 'object' || typeof o.object !== 'string' || typeof o.start !== 'number') throw new HttpError(400, "'inputObject' must be an object slice");
  return { object: o.object, start: o.start, ...(o.end !== undefined ? { end: o.end } : {}), ...(o.etag !== undefined ? { etag: o.etag } : {}), ...(o.size !== undefined ? { size: o.size } : {}), ...(typeof o.footer === 'string' ? { footer: o.footer } : {}) };
}

/**
 * The kernel's `prepare` run on the job's input (when it has one and the request names it): the params it answers, or
 * undefined. A refusal (KernelInputError: a bad query, an input that cannot be read as asked) is the caller's mistake.
 */
export async function prepareWithKernel(kernel: AnyKernel, request: KernelPlanRequest, read: () => ByteReader): Promise<Record<string, unknown> | undefined> {
  if (!kernel.prepare || !request.input || !request.inputObject) return undefined;
  const { parsed } = parseKernelParams(kernel, request.params, { input: true });
  try {
    const reader = read();
    return await kernel.prepare(parsed, {
      object: request.inputObject,
      read: reader,
      ...(request.inputObjects ? { tables: request.inputObjects } : {}),
      ...(request.partitionBy !== undefined ? { partitionBy: request.partitionBy } : {}),
      ...(request.sortBy !== undefined ? { sortBy: request.sortBy } : {}),
    });
  } catch (err) {
    if (err instanceof KernelInputError) throw new HttpError(400, `invalid params for kernel '${kernel.name}': ${errorMessage(err)}`);
    if (err instanceof DataReadError) throw inputError(err);
    throw err;
  }
}

export function kernelPlanOf(kernel: AnyKernel, request: KernelPlanRequest): KernelPlan {
  const { parsed } = parseKernelParams(kernel, request.params, { input: request.input === true });
  const profile = profileOf(kernel, parsed);
  let tasks = request.tasks;
  let sizing: SizingPlan | undefined;
  if ((tasks === undefined || request.input) && request.sizing) {
    const asked = { ...(tasks !== undefined ? { tasks } : {}), ...(request.mode ? { mode: request.mode } : {}), ...(request.workers !== undefined ? { workers: request.workers } : {}) };
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
