// What a worker needs about its job (kernel, parsed params, task count), cached per warm container.
import type { AnyKernel, DataInputs } from '../../kernels/types.ts';
import { dataInputsFor } from '../inputs/data-inputs.ts';
import { JobStore, UnknownJobError } from '../store/job-store.ts';
import { findKernel } from '../kernels.ts';

export interface JobContext {
  kernel: AnyKernel;
  params: unknown;
  total: number;
  retries: number;
  /** A task running longer than this has failed an attempt, ms. */
  taskTimeoutMs: number;
  /** Pull mode: how long a claimed task's lease lasts unless renewed, ms. */
  leaseMs: number;
  /** Tasks a worker of an I/O-waiting kernel keeps in flight. */
  ioTasksPerWorker: number;
  /** What its tasks may read from outside the job: the deployment's URL policy when the job was created. */
  inputs: DataInputs;
}

/** The job is no longer running: done, failed or cancelled (a cancelled job keeps only a small record). */
export interface JobEnded {
  ended: string;
}

const cache = new Map<string, JobContext>();
const CACHE_SIZE = 8;

/** The running job's context, or the state it ended in (its workers then skip). */
export async function jobContext(store: JobStore, jobId: string): Promise<JobContext | JobEnded> {
  const hit = cache.get(jobId);
  if (hit) return hit;
  const meta = await store.meta(jobId);
  if (!meta) throw new UnknownJobError(`unknown job ${jobId}`);
  if (meta.state !== 'running') return { ended: meta.state };
  const kernel = findKernel(meta.kernel);
  const ctx: JobContext = {
    kernel,
    params: kernel.parse(JSON.parse(meta.params)),
    total: meta.total,
    retries: meta.retries,
    taskTimeoutMs: meta.taskTimeoutMs,
    leaseMs: meta.leaseMs,
    ioTasksPerWorker: meta.ioTasksPerWorker,
    inputs: dataInputsFor(meta.allowHosts),
  };
  cache.set(jobId, ctx);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return ctx;
}
