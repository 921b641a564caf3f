// The `status` action's `view`: the job's identity (kernel, params, plan, input) and its tasks' activity, in the
// compact form the dashboard and the plots read (pipeline/views/job-activity.ts). Records are sent for the tasks the
// caller asks for, at most MAX_RECORDS_PER_ANSWER at a time, so the answer stays well under OpenWhisk's 1 MB result
// limit however large the job (a record is about 30 bytes here).
import type { JobStore, JobMeta } from '../store/job-store.ts';
import { toTimelineRecord } from '../store/task-records.ts';
import type { InputSummary } from '../data/job-input.ts';
import type { FailedRow, JobAbout, JobActivityView, RecordRow, RunningRow } from './job-activity.ts';

export const MAX_RECORDS_PER_ANSWER = 5000;
/** Failed tasks listed at most (each with a message of up to 500 bytes). */
export const MAX_FAILED_ROWS = 200;

/** Params shown whole up to this size; a larger value (a `map` job's inputs) is cut. */
const MAX_PARAMS_CHARS = 4000;

function parsedJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function aboutJob(meta: JobMeta): JobAbout {
  const params = meta.params.length > MAX_PARAMS_CHARS ? `${meta.params.slice(0, MAX_PARAMS_CHARS)}… (${meta.params.length} characters)` : parsedJson<unknown>(meta.params, {});
  const about: JobAbout = {
    kernel: meta.kernel,
    params,
    total: meta.total,
    workers: meta.workers,
    mode: meta.mode,
    planWhy: parsedJson<string[]>(meta.planWhy, []),
    retryBudget: meta.retryBudget,
    created: meta.created,
  };
  const summary = parsedJson<InputSummary | undefined>(meta.inputSummary, undefined);
  if (meta.input && summary) {
    about.input = { sources: parsedJson<string[]>(meta.input, []), objects: summary.objects, bytes: summary.bytes, bytesPerTask: summary.bytesPerTask };
  }
  return about;
}

function isDone(bits: Buffer, i: number): boolean {
  const byte = bits[i >> 3];
  return byte !== undefined && ((byte >> (7 - (i & 7))) & 1) === 1;
}

/**
 * `asked`: the tasks whose records the caller wants (it knows which are done from the bitmap); at most `maxRecords`
 * of them are sent.
 */
export async function activityView(
  store: JobStore,
  jobId: string,
  meta: JobMeta,
  doneBits: Buffer,
  asked: readonly number[],
  maxRecords = MAX_RECORDS_PER_ANSWER,
): Promise<JobActivityView> {
  const pull = meta.mode === 'pull';
  const sent = asked.slice(0, maxRecords);
  const [records, marks] = await Promise.all([store.taskRecordsOf(jobId, sent), store.taskMarks(jobId)]);
  const lanes: string[] = [];
  const laneIndex = new Map<string, number>();
  const lane = (name: string | undefined): number => {
    if (name === undefined || name === '') return -1;
    let i = laneIndex.get(name);
    if (i === undefined) {
      i = lanes.length;
      lanes.push(name);
      laneIndex.set(name, i);
    }
    return i;
  };
  const t = (ms: number) => Math.round(ms - meta.created);
  const rows: RecordRow[] = [];
  for (const [task, r] of records) {
    const v = toTimelineRecord(task, r);
    // A pull worker runs many tasks, one after another: its row is the worker activation; in push mode, the container.
    rows.push([task, t(v.queued), t(v.start), t(r.start), t(v.end), lane(pull ? r.activationId : r.container), r.cold ? 1 : 0]);
  }
  const running: RunningRow[] = [];
  for (const [task, start] of marks.starts) {
    if (isDone(doneBits, task) || meta.state !== 'running') continue;
    running.push([task, t(start), pull ? lane(marks.startedBy.get(task)) : -1]);
  }
  const failed: FailedRow[] = [];
  for (const [task, f] of marks.failures) {
    const start = marks.starts.get(task);
    failed.push([task, f.attempts, start === undefined ? -1 : t(start), t(f.at || meta.lastEnd || Date.now()), f.message, pull ? lane(marks.startedBy.get(task)) : -1]);
  }
  return {
    about: aboutJob(meta),
    now: t(meta.state === 'running' ? Date.now() : (meta.reduceEnd ?? meta.lastEnd ?? Date.now())),
    lanes,
    records: rows.sort((a, b) => a[0] - b[0]),
    recordsLeft: asked.length - sent.length,
    running: running.sort((a, b) => a[0] - b[0]),
    failed: failed.sort((a, b) => a[0] - b[0]).slice(0, MAX_FAILED_ROWS),
    failedTasks: failed.length,
    retried: marks.retried.sort((a, b) => a - b),
    speculated: marks.speculated.sort((a, b) => a - b),
    // A job of one stage; a shuffle's stages will be listed here, each with its own progress.
    stages: [],
  };
}
