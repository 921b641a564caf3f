// A job's sizing from its kernel and where it runs: the kernel's profile (waits on I/O? how much CPU?) and the worker
// capacity of the target, handed to the one decision in plan.ts.
import { availableParallelism } from 'node:os';
import type { AnyKernel, JobShape } from '../../kernels/types.ts';
import { HttpError } from '../openwhisk/http.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { Mode } from '../job/mode.ts';
import { decideSizing, type SizingInputs, type SizingPlan } from './decide.ts';

/** What runs the workers, as far as the caller can see it. */
export type WorkerCapacity = Pick<SizingInputs, 'slots' | 'slotsFrom' | 'concurrentInvocations' | 'workerTimeoutMs'>;

/** What was asked: either count may be absent. */
export interface SizingRequest {
  kernel: string;
  params: Record<string, unknown>;
  tasks?: number;
  mode?: Mode;
  workers?: number;
}

/**
 * The capacity as an action sees it: the deployment's `workerSlots` setting, or (0) the cores of the machine running
 * the action, which on the embedded platform is the one that runs the workers.
 */
export function actionCapacity(workerSlots: number): WorkerCapacity {
  if (workerSlots > 0) return { slots: workerSlots, slotsFrom: `the workerSlots setting, ${workerSlots}` };
  const cores = availableParallelism();
  return { slots: cores, slotsFrom: `${cores} core${cores === 1 ? '' : 's'} where the job was planned` };
}

/**
 * What sizing needs to know of a kernel for given params, as its control action answers it (`op: plan`): whether it
 * waits on I/O, its estimated serial CPU time, its own bound on tasks.
 */
export interface KernelProfile {
  kernel: string;
  waitsOnIo: boolean;
  producesPng: boolean;
  cpuMs?: number;
  kernelMaxTasks?: number;
  /** It can run a shuffle job (it has `reducePartition`). */
  shuffles?: boolean;
  /** It writes Parquet parts (`writePart`). */
  writesParquet?: boolean;
}

/** The profile of a parsed job. */
export function profileOf(kernel: AnyKernel, parsed: unknown): KernelProfile {
  const estimate = kernel.estimate?.(parsed);
  return {
    kernel: kernel.name,
    waitsOnIo: kernel.waitsOnIo === true,
    producesPng: kernel.producesPng === true,
    ...(estimate && Number.isFinite(estimate.cpuMs) ? { cpuMs: estimate.cpuMs } : {}),
    ...(kernel.maxTasks ? { kernelMaxTasks: kernel.maxTasks(parsed) } : {}),
    ...(kernel.reducePartition ? { shuffles: true } : {}),
    ...(kernel.writePart ? { writesParquet: true } : {}),
  };
}

export type SizingLimits = Pick<SizingInputs, 'maxTasks' | 'maxWorkers' | 'ioTasksPerWorker'>;

/** The plan for a job from its kernel's profile. */
export function sizeJob(profile: KernelProfile, asked: Pick<SizingRequest, 'tasks' | 'mode' | 'workers'>, capacity: WorkerCapacity, limits: SizingLimits): SizingPlan {
  return decideSizing({
    kernel: profile.kernel,
    waitsOnIo: profile.waitsOnIo,
    ...(profile.cpuMs !== undefined ? { cpuMs: profile.cpuMs } : {}),
    ...(profile.kernelMaxTasks !== undefined ? { kernelMaxTasks: profile.kernelMaxTasks } : {}),
    ...asked,
    ...capacity,
    maxTasks: limits.maxTasks,
    maxWorkers: limits.maxWorkers,
    ioTasksPerWorker: limits.ioTasksPerWorker,
  });
}

export interface ParsedJob {
  kernel: AnyKernel;
  parsed: unknown;
}

/** The kernel's parsed params; bad params are a 400. */
export function parseKernelParams(kernel: AnyKernel, params: Record<string, unknown>, job: JobShape = { input: false }): ParsedJob {
  try {
    return { kernel, parsed: kernel.parse(params, job) };
  } catch (err) {
    throw new HttpError(400, `invalid params for kernel '${kernel.name}': ${errorMessage(err)}`);
  }
}
