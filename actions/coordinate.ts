// Dispatches the tasks of one index range, and only that: invokes the job's kernel action for each (a leaf) or hands sub-ranges to child coordinators,
// with bounded concurrency; a leaf keeps at most `taskWindow` of its tasks outstanding, invoking the next as one is done; for a pull-mode job the range is of worker slots, and a leaf starts those workers. Near its deadline it passes whatever it could not start to a fresh coordinator.
import type { JobStore } from '../pipeline/store/job-store.ts';
import { MALFORMED_JOB_ID, jobIdOf, jobStoreFor } from '../pipeline/job/step.ts';
import { TaskWindow } from '../pipeline/dispatch/task-window.ts';
import { sibling } from '../pipeline/openwhisk/names.ts';
import { deadline, invokeAsync, DeadlineError } from '../pipeline/openwhisk/ow.ts';
import { boundedMap } from '../pipeline/dispatch/pool.ts';
import { parseRange, splitRange, toRanges, type Range } from '../pipeline/dispatch/ranges.ts';
import { errorMessage } from '../pipeline/openwhisk/redact.ts';
import { startWorkers } from '../pipeline/supervisor/remedies.ts';

/** Time kept back, before the activation's deadline, to hand over unstarted tasks. */
const HANDOVER_MS = 15_000;
/** Dispatch marks are written in batches of this many invokes; each write also tells whether the job still runs. */
const MARK_BATCH = 16;
/** How often a coordinator of sub-ranges looks whether the job still runs, ms. */
const STATE_CHECK_MS = 500;

export async function main(params: Record<string, unknown>) {
  const jobId = jobIdOf(params);
  if (!jobId) return MALFORMED_JOB_ID;
  const range = parseRange(params.from, params.to);
  if (!range) return { error: "parameters 'from' and 'to' must be integers with 0 <= from < to" };
  let store: JobStore | undefined;
  try {
    const jobs = await jobStoreFor(params);
    store = jobs;
    const meta = await jobs.meta(jobId, false);
    if (!meta) return { error: `unknown job ${jobId}` };
    if (meta.state !== 'running') return { jobId, skipped: meta.state };
    // A pull-mode job's coordinators cover worker slots, not tasks.
    const pull = meta.workers > 0;
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
          marks.push([index, await invokeAsync(meta.kernelAction, { op: 'work', jobId, index, queued: Date.now() }, { deadline: softDeadline })]);
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
  } catch (err) {
    const error = `coordinator for tasks ${range.from}-${range.to} failed: ${errorMessage(err)}`;
    await store?.failJob(jobId, error).catch(() => {});
    return { jobId, error };
  }
}
