// What the dashboard and the plots draw a job's activity from: every task's bar (start to end, its lane, its outcome),
// sent compactly by the `status` action (`view=1`) and read back here, on the page and in the plots alike. Pure code
// with no Node or DOM imports: the page's bundle includes it.

/** A task bar's outcome, as the task stream colours it. */
export type BarKind = 'running' | 'done' | 'retried' | 'speculative' | 'failed';

export const BAR_COLOURS: Record<BarKind, string> = {
  running: '#f59e0b',
  done: '#16a34a',
  retried: '#7c3aed',
  speculative: '#0891b2',
  failed: '#dc2626',
};

/** A cold start's container boot, drawn before the task's own run. */
export const COLD_COLOUR = '#94a3b8';

/**
 * One counted task: `[task, queued, begin, start, end, lane, cold]`, times in ms since the job's creation; `begin` is
 * where its container took it (a cold start's boot), `start` where the kernel's work began; `lane` an index into
 * `lanes`; `cold` 1 for the first activation of its container.
 */
export type RecordRow = [number, number, number, number, number, number, number];

/** A task running now: `[task, start, lane]` (lane -1: not known yet, push mode's container comes with the record). */
export type RunningRow = [number, number, number];

/**
 * A task with failed attempts: `[task, attempts, start, at, message, lane]`: its latest attempt's start and failure
 * (ms since creation; start -1 when not known) and message; lane as in RunningRow.
 */
export type FailedRow = [number, number, number, number, string, number];

/** The job as the dashboard names it. */
export interface JobAbout {
  kernel: string;
  params: unknown;
  total: number;
  /** Pull workers; 0 in push mode (one activation per task). */
  workers: number;
  mode: 'push' | 'pull';
  /** Why these counts, when the job sized itself; empty when they were asked for. */
  planWhy: string[];
  input?: { sources: string[]; objects: number; bytes: number; bytesPerTask: number };
  retryBudget: number;
  /** The job's creation (epoch ms, the platform's clock): time 0 of every row. */
  created: number;
}

/** One stage of a multi-stage job (a shuffle's map and reduce sides); a job of one stage has none. */
export interface StageProgress {
  name: string;
  done: number;
  total: number;
}

/** The `view` of the `status` action's answer (status.http?jobId=ID&view=1&records=RANGES). */
export interface JobActivityView {
  about: JobAbout;
  /** The platform's clock now, ms since creation: the page's "now" line. */
  now: number;
  lanes: string[];
  records: RecordRow[];
  /** Asked-for records not sent in this answer (the answer stays well under OpenWhisk's 1 MB result limit). */
  recordsLeft: number;
  running: RunningRow[];
  /** The first of the tasks with failed attempts (a long list is cut). */
  failed: FailedRow[];
  /** How many tasks have failed attempts. */
  failedTasks: number;
  /** Tasks invoked or claimed again. */
  retried: number[];
  /** Tasks a speculative copy was started for. */
  speculated: number[];
  stages: StageProgress[];
}

/** One bar of the task stream. */
export interface Bar {
  task: number;
  kind: BarKind;
  lane: string;
  /** ms since the job's creation. */
  begin: number;
  start: number;
  end: number;
  cold: boolean;
  message?: string;
}

/** `0-95,120,130-131`: task indices as ranges (sorted, merged), the `records` parameter's form. */
export function formatRanges(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! <= sorted[j]! + 1) j++;
    out.push(sorted[i] === sorted[j] ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** The indices of `0-95,120` below `total`, at most `max` of them; undefined when the text is not such a list. */
export function parseRanges(text: string, total: number, max: number): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return undefined;
    for (let i = from; i <= Math.min(to, total - 1) && out.length < max; i++) out.push(i);
  }
  return out;
}

/** Everything the page (or a plot) has learnt of a job's tasks, merged answer by answer. */
export class ActivityModel {
  readonly records = new Map<number, Bar>();
  running: Bar[] = [];
  /** Tasks with failed attempts, with their latest failure. */
  failed: Bar[] = [];
  attempts = new Map<number, number>();
  retried = new Set<number>();
  speculated = new Set<number>();
  now = 0;

  merge(view: JobActivityView): void {
    const laneOf = (i: number) => (i < 0 ? '' : (view.lanes[i] ?? ''));
    this.now = view.now;
    this.retried = new Set(view.retried);
    this.speculated = new Set(view.speculated);
    for (const [task, , begin, start, end, lane, cold] of view.records) {
      this.records.set(task, { task, kind: 'done', lane: laneOf(lane), begin, start, end, cold: cold === 1 });
    }
    this.running = view.running
      .filter(([task]) => !this.records.has(task))
      .map(([task, start, lane]) => ({ task, kind: 'running', lane: laneOf(lane), begin: start, start, end: view.now, cold: false }));
    this.attempts = new Map(view.failed.map(([task, attempts]) => [task, attempts]));
    this.failed = view.failed.map(([task, , start, at, message, lane]) => {
      const from = start >= 0 && start <= at ? start : at;
      return { task, kind: 'failed', lane: laneOf(lane), begin: from, start: from, end: at, cold: false, message };
    });
  }

  /** A done task's outcome: a speculative copy was started, it was run again, or it ran once. */
  private doneKind(task: number): BarKind {
    if (this.speculated.has(task)) return 'speculative';
    return this.retried.has(task) || this.attempts.has(task) ? 'retried' : 'done';
  }

  /** Every bar with its outcome: done (retried, speculative), running, and the failed attempts of unfinished tasks. */
  bars(): Bar[] {
    const out: Bar[] = [];
    for (const bar of this.records.values()) {
      const kind = this.doneKind(bar.task);
      out.push(kind === bar.kind ? bar : { ...bar, kind });
    }
    const running = new Set(this.running.map((b) => b.task));
    out.push(...this.running);
    for (const bar of this.failed) if (!this.records.has(bar.task) && !running.has(bar.task)) out.push(bar);
    return out;
  }
}
