// What a worker needs about its job (parsed params, task count, settings), cached per warm container. The kernel is the
// one its action was bundled with (pipeline/kernel-actions/), the version the job pinned.
import type { AnyKernel, DataInputs, TaskRef } from '../../kernels/types.ts';
import type { DataAccess } from '../data/data-access.ts';
import type { TaskInput } from '../data/objects.ts';
import { dataInputsFor } from '../data/data-inputs.ts';
import { JobStore, UnknownJobError } from '../store/job-store.ts';
import { dataAccessFor, taskRefOf } from '../data/job-input.ts';
import { partialToKeep } from './large-values.ts';
import { readSettings } from '../job/settings.ts';
import type { StoreAddress } from '../watchdog/messages.ts';
import { parseShuffle, shuffleKernel } from '../shuffle/stages.ts';

export interface JobContext {
  kernel: AnyKernel;
  /** The job's pinned tasks action: where its tasks go again (retries, hand-overs). */
  action: string;
  params: unknown;
  total: number;
  retries: number;
  /** A task running longer than this has failed an attempt, ms. */
  taskTimeoutMs: number;
  /** Pull mode: how long a claimed task's lease lasts unless renewed, ms. */
  leaseMs: number;
  /** Tasks a worker of an I/O-waiting kernel keeps in flight. */
  ioTasksPerWorker: number;
  /** Where the job lives, for the process's watchdog thread (pipeline/watchdog/), which opens its own connection. */
  store: StoreAddress;
  /** What its tasks may read from outside the job: the deployment's URL policy when the job was created. */
  inputs: DataInputs;
  /** What the job store keeps for task `index`'s partial: the JSON, or a reference to it in the object store. */
  partialToKeep(index: number, partialJson: string): Promise<string>;
  /** Task `index` as the kernel gets it: with the job's data input, the slices it reads (from the job store). */
  taskRef(index: number): Promise<TaskRef>;
}

/** The job is no longer running: done, failed or cancelled (a cancelled job keeps only a small record). */
export interface JobEnded {
  ended: string;
}

const cache = new Map<string, JobContext>();
const CACHE_SIZE = 8;

/** The running job's context, or the state it ended in (its workers then skip). */
export async function jobContext(store: JobStore, jobId: string, kernel: AnyKernel, actionParams: Record<string, unknown> = {}): Promise<JobContext | JobEnded> {
  const hit = cache.get(jobId);
  if (hit) return hit;
  const meta = await store.meta(jobId);
  if (!meta) throw new UnknownJobError(`unknown job ${jobId}`);
  if (meta.state !== 'running') return { ended: meta.state };
  if (meta.kernel !== kernel.name) throw new Error(`job ${jobId} runs kernel '${meta.kernel}', not '${kernel.name}'`);
  const shuffle = parseShuffle(meta);
  // A shuffle's reduce stage reads the map stage's partitions, not the job's input.
  const hasInput = Boolean(meta.input) && shuffle?.mapJob === undefined;
  let access: DataAccess | undefined;
  const data = () => (access ??= dataAccessFor(actionParams, meta.allowHosts));
  const total = meta.total;
  const settings = readSettings(actionParams);
  const ctx: JobContext = {
    kernel: shuffle ? shuffleKernel(kernel, shuffle, jobId, meta.resultsBucket, actionParams, store) : kernel,
    action: meta.kernelAction,
    params: kernel.parse(JSON.parse(meta.params), { input: Boolean(meta.input) }),
    total: meta.total,
    retries: meta.retries,
    taskTimeoutMs: meta.taskTimeoutMs,
    leaseMs: meta.leaseMs,
    ioTasksPerWorker: meta.ioTasksPerWorker,
    store: { redisUrl: settings.redisUrl, ttlSeconds: settings.ttlSeconds },
    inputs: dataInputsFor(meta.allowHosts),
    partialToKeep: (index, partialJson) => partialToKeep(actionParams, meta, jobId, index, partialJson),
    async taskRef(index) {
      if (!hasInput) return { index, count: total };
      const json = await store.taskInput(jobId, index);
      if (json === undefined) throw new Error(`task ${index} has no slices of the job's input (the job's keys expired?)`);
      return taskRefOf(index, total, JSON.parse(json) as TaskInput, data);
    },
  };
  cache.set(jobId, ctx);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return ctx;
}
