// Push mode's bound on one leaf coordinator's outstanding tasks (invoked, not yet done): it invokes the next task only
// when one of its own is done (its done bit, set by the completion that counted), so a job holds at most
// leaves × window runs in the platform's queue, which is first in, first out per action on OpenWhisk too, and a job
// submitted later waits behind those, not behind the whole job. A task lost or failed on the way is the supervisor's
// and the task's retries' to finish; its slot frees when it is done. While the coordinator waits it keeps telling the
// job it is at work (`heartbeat`, which moves `lastDispatch`), so the supervisor does not take its undispatched tasks
// for a lost coordinator's.
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlineError } from '../openwhisk/ow.ts';
import type { JobStore } from '../store/job-store.ts';

/** How often a full window looks for done tasks, ms. */
const POLL_MS = 100;
/** Most time between heartbeats, ms (a quarter of the supervisor's quiet time when that is shorter). */
const MAX_HEARTBEAT_MS = 5000;

export interface TaskWindowOptions {
  /** Tasks outstanding at most. */
  size: number;
  /** The job's `startTimeoutMs`: dispatch quiet for this long means a lost coordinator. */
  startTimeoutMs: number;
  /** True once no further task may start (the job stopped, the coordinator's time is up). */
  shouldStop: () => boolean;
  /** Writes what the coordinator has to say (pending dispatch marks, or none) and moves `lastDispatch`. */
  heartbeat: () => Promise<void>;
  /** Whether dispatch marks wait to be written: a waiting window writes them at once. */
  marksPending: () => boolean;
}

export class TaskWindow {
  private readonly outstanding = new Set<number>();
  private polling: Promise<void> | undefined;
  private lastBeat = Date.now();
  private readonly heartbeatMs: number;

  constructor(
    private readonly store: JobStore,
    private readonly jobId: string,
    private readonly opts: TaskWindowOptions,
  ) {
    this.heartbeatMs = Math.max(POLL_MS, Math.min(MAX_HEARTBEAT_MS, opts.startTimeoutMs / 4));
  }

  /**
   * Waits for a free slot and gives it to task `index`, about to be invoked; a DeadlineError when no task may start any
   * more. An invoke that then fails ends the coordinator's dispatch, so the slot is not given back.
   */
  async take(index: number): Promise<void> {
    while (this.outstanding.size >= this.opts.size) {
      if (this.opts.shouldStop()) throw new DeadlineError('no free task slot before the coordinator had to stop');
      // Every waiting lane shares one poll.
      await (this.polling ??= this.poll().finally(() => (this.polling = undefined)));
    }
    this.outstanding.add(index);
  }

  private async poll(): Promise<void> {
    if (this.opts.marksPending() || Date.now() - this.lastBeat >= this.heartbeatMs) {
      this.lastBeat = Date.now();
      await this.opts.heartbeat();
    }
    await sleep(POLL_MS);
    // A failed read frees nothing; the next poll reads again.
    const done = await this.store.doneAmong(this.jobId, [...this.outstanding]).catch(() => new Set<number>());
    for (const index of done) this.outstanding.delete(index);
  }
}
