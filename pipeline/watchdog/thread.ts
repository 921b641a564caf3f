// The watchdog thread of a kernel action's process (pipeline/watchdog/watchdog.ts starts it): it keeps running while
// the main thread is stuck in a kernel's loop. Every tick it
//   - renews the leases of the pull-mode tasks it watches, so a busy main thread does not lose them;
//   - looks whether each watched job still runs: when not (cancelled, failed), it tells the main thread, whose tasks'
//     signals abort, and ends the process should a task of that job still run a grace period later;
//   - ends the process when a task has run past its time limit and a grace period: in pull mode it first records the
//     failed attempt, unless the main thread did, and puts the task back in the queue.
// Ending the process is what OpenWhisk does to an activation past its time limit: the container and every activation
// in it end; the other tasks it ran are retried as any lost task (a lease that expires, a record without a partial).
import { writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { JobStore } from '../store/job-store.ts';
import { getRedis } from '../store/redis.ts';
import { errorMessage } from '../redact.ts';
import type { JobEndedMessage, MainMessage, StoreAddress, WatchMessage } from './messages.ts';

const TICK_MS = 250;
/** How often a watched job's state is read, ms. */
const POLL_MS = 1000;
/** How long a task may run on past its limit, or past its job's end, before the process is ended, ms. */
export const GRACE_MS = 1500;
/** The most time spent recording a failed attempt before the process is ended anyway, ms. */
const RECORD_MS = 3000;

interface Watched extends WatchMessage {
  givenUp: boolean;
  renewedAt: number;
  renewing: boolean;
}

interface JobWatch {
  store: StoreAddress;
  polledAt: number;
  polling: boolean;
  /** When the job was seen to have ended. */
  endedAt?: number;
}

const watched = new Map<number, Watched>();
const jobs = new Map<string, JobWatch>();
let ending = false;

function storeFor(address: StoreAddress): Promise<JobStore> {
  return getRedis(address.redisUrl).then((redis) => new JobStore(redis, address.ttlSeconds));
}

/** Says why on the process's stderr (the activation's logs) without the main thread, which may be stuck. */
function say(line: string): void {
  try {
    writeSync(2, `supercompute watchdog: ${line}\n`);
  } catch {
    // No stderr: the end says enough.
  }
}

/** Ends the process as the platform ends a container past its time limit. */
function endProcess(why: string): void {
  say(`${why}; ending process ${process.pid}`);
  process.kill(process.pid, 'SIGKILL');
}

async function withinRecordTime<T>(work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), RECORD_MS)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Pull mode: the failed attempt of a task the main thread could not give up, and the task back in the queue. */
async function recordFailure(t: Watched): Promise<void> {
  if (!t.failure || t.givenUp) return;
  const store = await storeFor(t.store);
  const f = await store.failTask(t.jobId, t.index, t.failure.error, t.failure.retries);
  if (f.retry) await store.requeueTask(t.jobId, t.index, t.failure.budgetError);
}

async function overLimit(t: Watched): Promise<void> {
  ending = true;
  try {
    await withinRecordTime(recordFailure(t));
  } catch (err) {
    say(`could not record task ${t.index}'s failed attempt: ${errorMessage(err)}`);
  }
  endProcess(`task ${t.index} of job ${t.jobId} ran past its time limit`);
}

function renew(t: Watched, now: number): void {
  if (!t.lease || t.givenUp || t.renewing || now - t.renewedAt < t.lease.leaseMs / 3) return;
  t.renewing = true;
  const { worker, leaseMs } = t.lease;
  void storeFor(t.store)
    .then((store) => store.renewLease(t.jobId, t.index, worker, leaseMs))
    .catch(() => false)
    .finally(() => {
      t.renewing = false;
      t.renewedAt = Date.now();
    });
}

function poll(jobId: string, job: JobWatch, now: number): void {
  if (job.endedAt !== undefined || job.polling || now - job.polledAt < POLL_MS) return;
  job.polling = true;
  void storeFor(job.store)
    .then((store) => store.state(jobId))
    .then((state) => {
      if (state === 'running') return;
      job.endedAt = Date.now();
      parentPort!.postMessage({ type: 'jobEnded', jobId, state: state ?? 'gone' } satisfies JobEndedMessage);
    })
    // Redis away: the leases and the limits still hold.
    .catch(() => undefined)
    .finally(() => {
      job.polling = false;
      job.polledAt = Date.now();
    });
}

function tick(): void {
  if (ending) return;
  const now = Date.now();
  const running = new Set<string>();
  for (const t of watched.values()) {
    if (now > t.limitAt + GRACE_MS) return void overLimit(t);
    const job = jobs.get(t.jobId);
    if (job?.endedAt !== undefined && now > job.endedAt + GRACE_MS) {
      ending = true;
      return endProcess(`task ${t.index} of job ${t.jobId} still ran after its job ended`);
    }
    renew(t, now);
    running.add(t.jobId);
  }
  for (const [jobId, job] of jobs) {
    if (running.has(jobId)) poll(jobId, job, now);
    else jobs.delete(jobId);
  }
}

parentPort!.on('message', (m: MainMessage) => {
  if (m.type === 'watch') {
    const now = Date.now();
    watched.set(m.id, { ...m, givenUp: false, renewedAt: now, renewing: false });
    if (!jobs.has(m.jobId)) jobs.set(m.jobId, { store: m.store, polledAt: now, polling: false });
  } else if (m.type === 'givenUp') {
    const t = watched.get(m.id);
    if (t) t.givenUp = true;
  } else {
    watched.delete(m.id);
  }
});
setInterval(tick, TICK_MS);
