// What the pipeline asks of a job's pinned tasks action, written once: run one task (push mode) or be a worker that
// claims tasks (pull mode). The kernel action reads them in pipeline/kernel-actions/ops.ts.
import { invokeAsync } from '../openwhisk/ow.ts';

export interface WorkMessage {
  op: 'work';
  jobId: string;
  index: number;
  /** When the task was dispatched, epoch ms (the task record's `queued`). */
  queued: number;
}

export interface WorkerMessage {
  op: 'worker';
  jobId: string;
  /** The worker's slot, 0 … W-1. */
  worker: number;
}

export const workMessage = (jobId: string, index: number, queued = Date.now()): WorkMessage => ({ op: 'work', jobId, index, queued });

export const workerMessage = (jobId: string, worker: number): WorkerMessage => ({ op: 'worker', jobId, worker });

/** Invokes the job's tasks action with one message, not waiting for it; the activation id. */
export function sendToKernel(action: string, message: WorkMessage | WorkerMessage, deadline: number): Promise<string> {
  return invokeAsync(action, { ...message }, { deadline });
}
