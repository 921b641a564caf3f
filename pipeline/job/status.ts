// What a job looks like from outside: the `status` action's answer, read by the CLI, the library, the tests and the
// benchmarks. One vocabulary: a job has a `state`.
import type { ResultRef } from '../data/value-ref.ts';

export const JOB_STATES = ['running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (JOB_STATES as readonly string[]).includes(value);
}

/**
 * The longest a `status` call may hold its answer for a running job to end (its `waitMs`), ms: well within the
 * action's 30 s timeout.
 */
export const MAX_STATUS_WAIT_MS = 20_000;

export interface Timings {
  jobStart: number;
  firstWorkerStart: number | null;
  lastWorkerStart: number | null;
  lastWorkerEnd: number | null;
  reduceEnd: number | null;
  /** reduceEnd - jobStart. */
  elapsedMs: number | null;
}

/**
 * How much re-running a job took: tasks invoked again, invocations spent of the budget, ranges of lost coordinators
 * sent again (free of the budget), speculative copies.
 */
export interface RetryCounts {
  tasks: number;
  invocations: number;
  resentRanges: number;
  speculative: number;
  budget: number;
}

export interface JobStatus {
  jobId: string;
  state: JobState;
  done: number;
  total: number;
  kernel: string;
  /** A done job's result, unless it is kept in the object store: then `resultRef` says where (and `result` is absent). */
  result?: unknown;
  resultRef?: ResultRef;
  error?: string;
  timings?: Timings;
  retries?: RetryCounts;
  /** The `status` action's base64 bitmap of the done tasks (task i at bit 7 - i % 8 of byte floor(i / 8)). */
  doneTasks?: string;
  /**
   * A running shuffle job past its map stage: its reduce stage (a job of its own) and how far it is, so that whoever
   * follows the map job sees it move while the reducers run.
   */
  stage?: StageProgress;
}

export interface StageProgress {
  name: 'reduce';
  jobId: string;
  state: JobState;
  done: number;
  total: number;
}
