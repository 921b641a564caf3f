// The watchdog thread of a kernel action's process (pipeline/watchdog/watchdog.ts starts it): it keeps running while
// the main thread is stuck in a kernel's loop. Every tick it
//   - renews the leases of the pull-mode tasks it watches, so a busy main thread does not lose them;
//   - looks whether each watched job still runs (once a second): when not (cancelled, failed), it tells the main thread,
//     whose tasks' signals abort, and ends the process should a task of that job still run a grace period later;
//   - tells the main thread when a task passes its limit (its signal aborts), and ends the process when it still runs
//     a grace period later: in pull mode it first records the failed attempt, unless the main thread did, and puts the
//     task back in the queue.
// Ending the process is what OpenWhisk does to an activation past its time limit: the container and every activation
// in it end; the other tasks it ran are retried as any lost task (a lease that expires, a record without a partial).
import { writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { JobStore } from '../store/job-store.ts';
import { getRedis } from '../store/redis.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import type { MainMessage, StoreAddress, WatchdogMessage } from './messages.ts';

const TICK_MS = 250;
/** How often a watched job's state is read, ms. */
const POLL_MS = 1000;
/** How long a task may run on past its limit, or past its job's end, before the process is ended, ms. */
const GRACE_MS = 1500;
/** The most time spent recording a failed attempt before the process is ended anyway, ms. */
const RECORD_MS = 3000;

interface Watched {
  id: number;
  jobId: string;
  index: number;
  limitAt: number;
  /** Pull mode: the worker slot holding the task's lease (-1: push mode, no lease). */
  worker: number;
  leaseMs: number;
  limitError: string;
  /** The main thread was told the task passed its limit. */
  toldOver: boolean;
  givenUp: boolean;
  renewedAt: number;
  renewing: boolean;
}

interface Job {
  store: StoreAddress;
  retries: number;
  polledAt: number;
  polling: boolean;
  /** When the job was seen to have ended. */
  endedAt?: number;
}

const watched = new Map<number, Watched>();
/** Every job the main thread told of (once each). */
const jobs = new Map<string, Job>();
let ending = false;

function post(message: WatchdogMessage): void {
  parentPort!.postMessage(message);
}

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
  ending = true;
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
async function recordFailure(t: Watched, job: Job): Promise<void> {
  if (t.worker < 0 || t.givenUp) return;
  const store = await storeFor(job.store);
  const f = await store.failTask(t.jobId, t.index, t.limitError, job.retries);
  if (f.retry) await store.requeueTask(t.jobId, t.index, `${t.limitError} (and the job's retry budget is spent)`);
}

async function overLimit(t: Watched, job: Job): Promise<void> {
  ending = true;
  try {
    await withinRecordTime(recordFailure(t, job));
  } catch (err) {
    say(`could not record task ${t.index}'s failed attempt: ${errorMessage(err)}`);
  }
  endProcess(`task ${t.index} of job ${t.jobId} ran past its time limit`);
}

function renew(t: Watched, job: Job, now: number): void {
  if (t.worker < 0 || t.givenUp || t.renewing || now - t.renewedAt < t.leaseMs / 3) return;
  t.renewing = true;
  void storeFor(job.store)
    .then((store) => store.renewLease(t.jobId, t.index, t.worker, t.leaseMs))
    .catch(() => false)
    .finally(() => {
      t.renewing = false;
      t.renewedAt = Date.now();
    });
}

function poll(jobId: string, job: Job, now: number): void {
  if (job.endedAt !== undefined || job.polling || now - job.polledAt < POLL_MS) return;
  job.polling = true;
  void storeFor(job.store)
    .then((store) => store.state(jobId))
    .then((state) => {
      if (state === 'running') return;
      job.endedAt = Date.now();
      post({ type: 'jobEnded', jobId, state: state ?? 'gone' });
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
    const job = jobs.get(t.jobId)!;
    if (now > t.limitAt + GRACE_MS) return void overLimit(t, job);
    if (job.endedAt !== undefined && now > job.endedAt + GRACE_MS) return endProcess(`task ${t.index} of job ${t.jobId} still ran after its job ended`);
    if (now > t.limitAt && !t.toldOver) {
      t.toldOver = true;
      post({ type: 'overLimit', id: t.id });
    }
    renew(t, job, now);
    running.add(t.jobId);
  }
  for (const jobId of running) poll(jobId, jobs.get(jobId)!, now);
}

parentPort!.on('message', (m: MainMessage) => {
  if (typeof m === 'number') {
    if (m < 0) {
      const t = watched.get(-m);
      if (t) t.givenUp = true;
    } else watched.delete(m);
  } else if (Array.isArray(m)) {
    const [id, jobId, index, limitAt, worker, leaseMs, limitError] = m;
    const now = Date.now();
    // A lease is renewed at the first tick that finds its task running (the claim took it a moment ago, but this
    // thread may have been slow to hear of it), then every third of the lease time.
    watched.set(id, { id, jobId, index, limitAt, worker, leaseMs, limitError, toldOver: false, givenUp: false, renewedAt: 0, renewing: false });
    const job = jobs.get(jobId)!;
    // A job whose tasks start again is looked at afresh (it ran, or no one looked for a while).
    if (job.endedAt === undefined && now - job.polledAt > POLL_MS) job.polledAt = now;
  } else {
    jobs.set(m.jobId, { store: m.store, retries: m.retries, polledAt: Date.now(), polling: false });
    // Connected before the job's first lease needs renewing.
    void storeFor(m.store).catch(() => undefined);
  }
});
setInterval(tick, TICK_MS);
