// What the kernel action's main thread and its watchdog thread (pipeline/watchdog/) tell each other. A task's start and
// end are one small message each (an array, a number), since every task sends them; what is the same for all tasks of
// a job is sent once per job.

/** Where a watched task's job lives. */
export interface StoreAddress {
  redisUrl: string;
  ttlSeconds: number;
}

/** The first task of a job in this process: where the job lives, and its tasks' retries. */
export interface JobMessage {
  type: 'job';
  jobId: string;
  store: StoreAddress;
  retries: number;
}

/**
 * The main thread starts computing a task: its watch id, job, index, when it passes its limit (epoch ms), and in pull
 * mode the worker slot holding its lease, the lease time and the failed attempt's error should the watchdog end it
 * (push mode: -1, 0, ''; the supervisor finds a started task past the task timeout).
 */
export type WatchMessage = [id: number, jobId: string, index: number, limitAt: number, worker: number, leaseMs: number, limitError: string];

/** `id`: the task's work settled; `-id`: the main thread gave the attempt up and recorded its failure itself. */
export type MainMessage = JobMessage | WatchMessage | number;

export type WatchdogMessage =
  /** The job left `running` (cancelled, failed, done, or gone): its tasks should stop. */
  | { type: 'jobEnded'; jobId: string; state: string }
  /** The task passed its limit: its signal should abort. */
  | { type: 'overLimit'; id: number };
