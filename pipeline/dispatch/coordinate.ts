// Dispatches the tasks of one index range, and only that: invokes the job's kernel action for each (a leaf) or hands
// sub-ranges to child coordinators, with bounded concurrency; a leaf keeps at most `taskWindow` of its tasks
// outstanding, invoking the next as one is done; for a pull-mode job the range is of worker slots, and a leaf starts
// those workers. Near its deadline it passes whatever it could not start to a fresh coordinator.
import { sibling } from '../openwhisk/names.ts';
import { deadline, invokeAsync, DeadlineError } from '../openwhisk/ow.ts';
import type { JobStore } from '../store/job-store.ts';
import type { JobMeta } from '../store/meta.ts';
import { sendToKernel, workMessage } from './kernel-messages.ts';
import { boundedMap } from './pool.ts';
import { splitRange, toRanges, type Range } from './ranges.ts';
import { startWorkers } from './redispatch.ts';
import { TaskWindow } from './task-window.ts';

/** Time kept back, before the activation's deadline, to hand over unstarted tasks. */
const HANDOVER_MS = 15_000;
/** Dispatch marks are written in batches of this many invokes; each write also tells whether the job still runs. */
const MARK_BATCH = 16;
/** How often a coordinator of sub-ranges looks whether the job still runs, ms. */
const STATE_CHECK_MS = 500;

export async function coordinateRange(jobs: JobStore, meta: JobMeta, jobId: string, range: Range): Promise<Record<string, unknown>> {
  // A pull-mode job's coordinators cover worker slots, not tasks.
  const pull = meta.mode === 'pull';
  const size = pull ? meta.workers : meta.total;
  if (range.to > size) return { error: `range ${range.from}-${range.to} is outside the job's ${size} ${pull ? 'workers' : 'tasks'}` };

  const hardDeadline = deadline(1000);
  const softDeadline = Math.max(Date.now() + 1000, deadline(HANDOVER_MS));
  const concurrency = meta.concurrency;
  const parts = splitRange(range, meta.fanout, meta.leafSize);
  const leaf = parts.length === 1;

  // A cancelled (or failed) job stops being dispatched: leaves learn it from their dispatch marks, others by looking.
  let stopped = false;
  let lastCheck = Date.now();
  const shouldStop = () => {
    if (!stopped && !leaf && Date.now() - lastCheck >= STATE_CHECK_MS) {
      lastCheck = Date.now();
      jobs.meta(jobId, false).then((m) => { if (m?.state !== 'running') stopped = true; }, () => {});
    }
    return stopped || Date.now() >= softDeadline;
  };
  let marks: Array<[number, string]> = [];
  const flushMarks = async () => {
    const batch = marks;
    marks = [];
    // Best effort: a task without a mark is found by the supervisor once dispatching has gone quiet.
    const state = await jobs.markDispatched(jobId, batch, true).catch(() => 'running');
    if (state !== 'running') stopped = true;
  };

  if (leaf && pull) {
    const slots = Array.from({ length: range.to - range.from }, (_, i) => range.from + i);
    return { jobId, from: range.from, to: range.to, workers: await startWorkers(jobs, jobId, slots, hardDeadline, concurrency, meta.kernelAction) };
  }

  let ranges: Range[];
  let ok: boolean[];
  let errors: unknown[];
  if (leaf) {
    const indices = Array.from({ length: range.to - range.from }, (_, i) => range.from + i);
    const window = meta.taskWindow > 0
      ? new TaskWindow(jobs, jobId, { size: meta.taskWindow, startTimeoutMs: meta.startTimeoutMs, shouldStop, heartbeat: flushMarks, marksPending: () => marks.length > 0 })
      : undefined;
    ({ ok, errors } = await boundedMap(
      indices,
      concurrency,
      async (index) => {
        await window?.take(index);
        marks.push([index, await sendToKernel(meta.kernelAction, workMessage(jobId, index), softDeadline)]);
        if (marks.length >= MARK_BATCH) await flushMarks();
      },
      shouldStop,
    ));
    await flushMarks();
    ranges = toRanges(indices.filter((_, i) => !ok[i]));
  } else {
    ({ ok, errors } = await boundedMap(
      parts,
      concurrency,
      (r) => invokeAsync(sibling('coordinate'), { jobId, ...r }, { deadline: softDeadline }),
      shouldStop,
    ));
    if (!pull) await jobs.markDispatched(jobId, [], true).catch(() => undefined);
    ranges = parts.filter((_, i) => !ok[i]);
  }
  if (stopped) return { jobId, from: range.from, to: range.to, stopped: true };

  const fatal = errors.find((e) => !(e instanceof DeadlineError));
  if (fatal) throw fatal;
  // Out of time (throttled): a fresh coordinator starts what this one could not.
  for (const r of ranges) {
    await invokeAsync(sibling('coordinate'), { jobId, ...r }, { deadline: hardDeadline });
  }
  return {
    jobId,
    from: range.from,
    to: range.to,
    [leaf ? 'workers' : 'children']: ok.filter(Boolean).length,
    handedOver: ranges,
  };
}
