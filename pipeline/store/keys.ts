// Redis key schema: every key of a job lives under `sc:job:{<jobId>}:`; the braces make the id a cluster hash tag,
// so a job's keys share a slot and multi-key scripts stay valid on Redis Cluster.
//
//   meta      hash    kernel, params (raw JSON), total, state, config, error, timing marks, expiresAt
//   partials  hash    task index -> partial (JSON); its length is the number of tasks done
//   starts    hash    task index -> start time of its latest attempt (ms)
//   startedBy hash    task index -> activation id of its latest attempt that started
//   attempts  hash    task index -> failed attempts
//   tasks     hash    task index -> record of the run that counted (JSON: activation, container, cold, times)
//   doneBits  string  bitmap of done tasks (SETBIT order: task i is bit i)
//   result    string  the reduced result (JSON)
//   kick      string  short-lived marker: someone restarted a reduce that seemed lost
//   sweep     string  short-lived marker: someone looked for tasks that stalled
//   dispatched hash   task index -> "ms:activationId" of its latest invoke (a coordinator's, or a re-invoke's)
//   retried   hash    task index -> times it was invoked again (lost, crashed, failed)
//   spec      hash    task index -> when a speculative copy of it was started
//   watch     string  the watchdog activation holding the job's lease (expires unless renewed)
//   watchKick string  short-lived marker: someone started a watchdog

export const KEY_PREFIX = 'sc:job:';

export interface JobKeys {
  meta: string;
  partials: string;
  starts: string;
  startedBy: string;
  attempts: string;
  tasks: string;
  doneBits: string;
  result: string;
  kick: string;
  sweep: string;
  dispatched: string;
  retried: string;
  spec: string;
  watch: string;
  watchKick: string;
}

export function jobKeys(jobId: string): JobKeys {
  const base = `${KEY_PREFIX}{${jobId}}:`;
  return {
    meta: `${base}meta`,
    partials: `${base}partials`,
    starts: `${base}starts`,
    startedBy: `${base}startedBy`,
    attempts: `${base}attempts`,
    tasks: `${base}tasks`,
    doneBits: `${base}doneBits`,
    result: `${base}result`,
    kick: `${base}kick`,
    sweep: `${base}sweep`,
    dispatched: `${base}dispatched`,
    retried: `${base}retried`,
    spec: `${base}spec`,
    watch: `${base}watch`,
    watchKick: `${base}watchKick`,
  };
}

export function allJobKeys(jobId: string): string[] {
  return Object.values(jobKeys(jobId));
}
