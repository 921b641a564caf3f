// Redis key schema: every key of a job lives under `sc:job:{<jobId>}:`; the braces make the id a cluster hash tag,
// so a job's keys share a slot and multi-key scripts stay valid on Redis Cluster. Only the job store uses it.
//
//   meta            hash    the job's spec and progress (fields: pipeline/store/meta.ts)
//   partials        hash    task index -> partial (JSON); its length is the number of tasks done
//   doneBits        string  bitmap of done tasks (SETBIT order: task i is bit i)
//   tasks           hash    task index -> record of the run that counted (JSON: activation, container, cold, times)
//   result          string  the reduced result (JSON)
//   starts          hash    task index -> start time of its latest attempt (ms)
//   startedBy       hash    task index -> activation id of its latest attempt that started
//   attempts        hash    task index -> failed attempts
//   taskErrors      hash    task index -> "ms:message" of its latest failed attempt (for the dashboard)
//   dispatched      hash    task index -> "ms:activationId" of its latest invoke (a coordinator's, or a re-invoke's)
//   retried         hash    task index -> times it was invoked again (lost, crashed, failed, timed out)
//   speculated      hash    task index -> when a speculative copy of it was started
//   lease           string  the supervisor activation holding the job's lease (expires unless renewed)
//   supervisorStart string  short-lived marker: someone started a supervisor
//   reduceKick      string  short-lived marker: someone restarted a reduce that seemed lost
//   inputs          hash    task index -> the slices of the job's data input it reads (JSON TaskInput; a job with
//                           an `input` only), written with the meta by the script that creates the job
// Pull mode (workers claiming tasks from the job's queue):
//   claimNext       string  how many tasks have been claimed a first time (the next first claim is this index)
//   requeued        list    task indices to claim again (a lease expired, an attempt failed, a speculative copy)
//   leases          zset    claimed task index -> its lease's expiry (ms); dropped when the task completes
//   claimedBy       hash    claimed task index -> the worker holding its lease
//   workers         hash    worker slot -> when it was last seen (ms; 0: it left)
//
// And one pub/sub channel under the same prefix (a channel, not a key: nothing is stored under it):
//
//   ended           channel the job's new state ('done', 'failed', 'cancelled'), published by the script that ends it
//                           (the scripts name it from the meta key: `meta` becomes `ended`)

export const KEY_PREFIX = 'sc:job:';

/** Every key of a job, in this order; `meta` first (the scripts' includes read it as their first key). */
export const JOB_KEY_NAMES = [
  'meta', 'partials', 'doneBits', 'tasks', 'result', 'starts', 'startedBy', 'attempts', 'dispatched', 'retried',
  'speculated', 'lease', 'supervisorStart', 'reduceKick', 'claimNext', 'requeued', 'leases', 'claimedBy', 'workers',
  'inputs', 'taskErrors',
] as const;

export type JobKeyName = (typeof JOB_KEY_NAMES)[number];

export type JobKeys = Record<JobKeyName, string>;

export function jobKeys(jobId: string): JobKeys {
  const base = `${KEY_PREFIX}{${jobId}}:`;
  return Object.fromEntries(JOB_KEY_NAMES.map((name) => [name, `${base}${name}`])) as JobKeys;
}

/** The channel on which the script that ends the job publishes its new state. */
export function jobEndedChannel(jobId: string): string {
  return `${KEY_PREFIX}{${jobId}}:ended`;
}

export function allJobKeys(jobId: string): string[] {
  return Object.values(jobKeys(jobId));
}
