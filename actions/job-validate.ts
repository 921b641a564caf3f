// Composition step: checks a job request's shape (kernel known, task count, params an object within bounds) and
// records the job as running. The kernel's own parameter checks are `job-split`'s, so that a job whose parameters
// fail them is marked failed by the composition's handler.
import { readConfig } from '../pipeline/job/config.ts';
import { newJobId } from '../pipeline/ids.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { findKernel } from '../pipeline/kernels.ts';
import { errorMessage, registerEnvSecrets } from '../pipeline/redact.ts';
import { getRedis } from '../pipeline/store/redis.ts';

export async function main(p: Record<string, unknown>) {
  registerEnvSecrets(p);
  try {
    const cfg = readConfig(p);
    const kernel = findKernel(p.kernel);
    let raw: unknown = p.params ?? {};
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw);
      } catch {
        return { error: "'params' is not valid JSON" };
      }
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { error: "'params' must be a JSON object" };
    const json = JSON.stringify(raw);
    if (Buffer.byteLength(json) > cfg.maxParamsBytes) return { error: `'params' is larger than ${cfg.maxParamsBytes} bytes` };
    const tasks = Number(p.tasks);
    if (!Number.isInteger(tasks) || tasks < 1 || tasks > cfg.maxTasks) {
      return { error: `'tasks' must be an integer between 1 and ${cfg.maxTasks}, got ${JSON.stringify(p.tasks ?? null)}` };
    }
    const store = new JobStore(await getRedis(cfg.redisUrl), cfg.ttlSeconds);
    const jobId = newJobId();
    const created = await store.create(jobId, {
      kernel: kernel.name,
      params: json,
      total: tasks,
      fanout: cfg.fanout,
      leafSize: cfg.leafSize,
      concurrency: cfg.concurrency,
      retries: cfg.retries,
      taskTimeoutMs: cfg.taskTimeoutMs,
    });
    if (!created) return { error: 'could not create the job (id collision); try again' };
    return { jobId, kernel: kernel.name, total: tasks };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
