// Redis key schema: every key of a job lives under `sc:job:{<jobId>}:`; the braces make the id a cluster hash tag,
// so a job's keys share a slot and multi-key scripts stay valid on Redis Cluster.
//
//   meta      hash    kernel, params (raw JSON), total, state, config, error, timing marks, expiresAt
//   partials  hash    task index -> partial (JSON); its length is the number of tasks done
//   starts    hash    task index -> start time of its latest attempt (ms)
//   attempts  hash    task index -> failed attempts
//   result    string  the reduced result (JSON)
//   kick      string  short-lived marker: someone restarted a reduce that seemed lost
//   sweep     string  short-lived marker: someone looked for tasks that stalled

export const KEY_PREFIX = 'sc:job:';

export interface JobKeys {
  meta: string;
  partials: string;
  starts: string;
  attempts: string;
  result: string;
  kick: string;
  sweep: string;
}

export function jobKeys(jobId: string): JobKeys {
  const base = `${KEY_PREFIX}{${jobId}}:`;
  return {
    meta: `${base}meta`,
    partials: `${base}partials`,
    starts: `${base}starts`,
    attempts: `${base}attempts`,
    result: `${base}result`,
    kick: `${base}kick`,
    sweep: `${base}sweep`,
  };
}

export function allJobKeys(jobId: string): string[] {
  return Object.values(jobKeys(jobId));
}
