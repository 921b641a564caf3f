// What the kernel action's main thread and its watchdog thread (pipeline/watchdog/) tell each other.

/** Where a watched task's job lives. */
export interface StoreAddress {
  redisUrl: string;
  ttlSeconds: number;
}

/** The main thread starts computing a task. */
export interface WatchMessage {
  type: 'watch';
  id: number;
  store: StoreAddress;
  jobId: string;
  index: number;
  /** Past this (epoch ms) the attempt is over its time limit. */
  limitAt: number;
  /** Pull mode: the lease the watchdog renews while the task runs, even when the main thread cannot. */
  lease?: { worker: number; leaseMs: number };
  /**
   * Pull mode: what the watchdog records when it ends the attempt itself (the main thread is stuck): a failed attempt
   * with `error`, counted against `retries`, and the task back in the queue (or the job failed with `budgetError`).
   * Absent (push mode): nothing is recorded; the supervisor finds a started task past the task timeout.
   */
  failure?: { error: string; retries: number; budgetError: string };
}

export type MainMessage =
  | WatchMessage
  /** The main thread gave the attempt up and recorded its failure itself; its work may still run. */
  | { type: 'givenUp'; id: number }
  /** The task's work settled (done, failed or given up and finished). */
  | { type: 'end'; id: number };

/** The watchdog saw the job leave `running` (cancelled, failed, done, or gone): its tasks should stop. */
export interface JobEndedMessage {
  type: 'jobEnded';
  jobId: string;
  state: string;
}
