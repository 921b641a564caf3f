// The fields of a job's meta hash, written down once: the spec it was created with and its progress, each with how it
// is stored. Reading and writing the hash both go through this table.
import type { JobSpec } from '../job/spec.ts';
import { isJobState, type JobState, type Timings } from '../job/status.ts';

export interface JobProgress {
  state: JobState;
  created: number;
  /** When every key of the job expires (epoch ms). */
  expiresAt: number;
  firstStart?: number;
  lastStart?: number;
  lastEnd?: number;
  reduceEnd?: number;
  error?: string;
  failedTask?: number;
  /** Last time a coordinator recorded invokes of tasks, or said it is still waiting on its outstanding tasks. */
  lastDispatch?: number;
  /** Re-invocations spent of the retry budget. */
  reinvokes?: number;
  /** Ranges of lost coordinators handed to fresh ones (free of the retry budget). */
  resentRanges?: number;
  /** Times ranges were handed to fresh coordinators since a coordinator last dispatched: the next hand-over waits longer. */
  resendsSinceDispatch?: number;
  /** Speculative copies started. */
  speculated?: number;
  /** Tasks done when the job was cancelled (its other keys are gone then). */
  done?: number;
  cancelledAt?: number;
}

export type JobMeta = JobSpec & JobProgress;

type Codec = 'string' | 'number' | 'boolean';

const SPEC_FIELDS: Record<keyof JobSpec, Codec> = {
  kernel: 'string',
  kernelAction: 'string',
  kernelControl: 'string',
  params: 'string',
  total: 'number',
  mode: 'string',
  workers: 'number',
  fanout: 'number',
  leafSize: 'number',
  concurrency: 'number',
  taskWindow: 'number',
  retries: 'number',
  taskTimeoutMs: 'number',
  retryBudget: 'number',
  speculation: 'boolean',
  supervisorMs: 'number',
  probeAfterMs: 'number',
  startTimeoutMs: 'number',
  leaseMs: 'number',
  ioTasksPerWorker: 'number',
  allowHosts: 'string',
  inlineResultBytes: 'number',
  resultsBucket: 'string',
  input: 'string',
  shuffle: 'string',
  inputSummary: 'string',
  planWhy: 'string',
};

const PROGRESS_FIELDS: Record<keyof JobProgress, Codec> = {
  state: 'string',
  created: 'number',
  expiresAt: 'number',
  firstStart: 'number',
  lastStart: 'number',
  lastEnd: 'number',
  reduceEnd: 'number',
  error: 'string',
  failedTask: 'number',
  lastDispatch: 'number',
  reinvokes: 'number',
  resentRanges: 'number',
  resendsSinceDispatch: 'number',
  speculated: 'number',
  done: 'number',
  cancelledAt: 'number',
};

const FIELDS: Record<keyof JobMeta, Codec> = { ...SPEC_FIELDS, ...PROGRESS_FIELDS };

export const META_FIELDS = Object.keys(FIELDS) as Array<keyof JobMeta>;

/** The hash's field, value pairs for a new job. */
export function encodeMeta(meta: JobMeta): Array<string | number> {
  const out: Array<string | number> = [];
  for (const field of META_FIELDS) {
    const value = meta[field];
    if (value === undefined) continue;
    out.push(field, typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }
  return out;
}

function decode(codec: Codec, raw: string | null | undefined): string | number | boolean | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (codec === 'string') return raw;
  if (codec === 'boolean') return raw === '1' || raw === 'true';
  const n = Number(raw);
  return raw !== '' && Number.isFinite(n) ? n : undefined;
}

/** The job's meta from HMGET values in the order of `fields`; undefined for an unknown (or expired) job. */
/** Spec fields a job may not have at all (absent reads as absent, not as empty). */
const OPTIONAL_SPEC_FIELDS: ReadonlySet<string> = new Set(['input', 'shuffle', 'inputSummary', 'planWhy']);

export function decodeMeta(fields: ReadonlyArray<keyof JobMeta>, values: ReadonlyArray<string | null>): JobMeta | undefined {
  const out: Record<string, unknown> = {};
  fields.forEach((field, i) => {
    const v = decode(FIELDS[field], values[i]);
    if (v !== undefined) out[field] = v;
  });
  if (!isJobState(out.state)) return undefined;
  // A cancelled job keeps only a small record: absent spec fields read as empty.
  for (const [field, codec] of Object.entries(SPEC_FIELDS)) {
    if (out[field] === undefined && !OPTIONAL_SPEC_FIELDS.has(field)) out[field] = codec === 'string' ? '' : codec === 'boolean' ? false : 0;
  }
  if (out.params === '') out.params = '{}';
  out.created ??= 0;
  out.expiresAt ??= 0;
  return out as unknown as JobMeta;
}

export function timingsOf(meta: JobMeta): Timings {
  return {
    jobStart: meta.created,
    firstWorkerStart: meta.firstStart ?? null,
    lastWorkerStart: meta.lastStart ?? null,
    lastWorkerEnd: meta.lastEnd ?? null,
    reduceEnd: meta.reduceEnd ?? null,
    elapsedMs: meta.reduceEnd !== undefined ? meta.reduceEnd - meta.created : null,
  };
}
