// Every Redis script of the job store, one `.lua` file each, named with its key count (`claim-task-9.lua`, as BullMQ
// names its scripts); its header gives KEYS, ARGV and the reply, and its keys are named locals at its top. Each script's
// typed key list below builds its KEYS from the job's key schema (keys.ts), so no caller lists keys by hand.
// Loaded once per server by EVALSHA with an EVAL fallback.
import { Script, type Redis } from './redis.ts';
import { JOB_KEY_NAMES, jobKeys, type JobKeyName } from './keys.ts';
import cancel from './lua/cancel-21.lua';
import claimReduceKick from './lua/claim-reduce-kick-3.lua';
import claimSupervisorStart from './lua/claim-supervisor-start-3.lua';
import claimTask from './lua/claim-task-9.lua';
import completeTask from './lua/complete-task-6.lua';
import create from './lua/create-2.lua';
import failJob from './lua/fail-job-1.lua';
import failTask from './lua/fail-task-4.lua';
import finish from './lua/finish-2.lua';
import holdLease from './lua/hold-lease-2.lua';
import markDispatched from './lua/mark-dispatched-2.lua';
import markWorkers from './lua/mark-workers-2.lua';
import purgeCancelled from './lua/purge-cancelled-21.lua';
import reinvoke from './lua/reinvoke-5.lua';
import reinvokeRanges from './lua/reinvoke-ranges-3.lua';
import releaseLease from './lua/release-lease-1.lua';
import remove from './lua/remove-21.lua';
import renewLease from './lua/renew-lease-4.lua';
import requeueExpired from './lua/requeue-expired-6.lua';
import requeueTask from './lua/requeue-task-6.lua';
import speculateTask from './lua/speculate-task-4.lua';
import startTask from './lua/start-task-3.lua';

/** A script over one job's keys, in the order its file names them. */
export class JobScript {
  private readonly script: Script;

  constructor(
    /** Its file under lua/, whose name ends in the key count. */
    readonly file: string,
    source: string,
    readonly keys: readonly JobKeyName[],
  ) {
    this.script = new Script(source);
  }

  run(redis: Redis, jobId: string, args: Array<string | number>): Promise<unknown> {
    const k = jobKeys(jobId);
    return this.script.run(redis, this.keys.map((name) => k[name]), args);
  }
}

const jobScript = (file: string, source: string, keys: readonly JobKeyName[]) => new JobScript(file, source, keys);

/** Every key of the job, meta first (the scripts that remove a job's keys). */
const EVERY_KEY: readonly JobKeyName[] = JOB_KEY_NAMES;

export const scripts = {
  cancel: jobScript('cancel-21.lua', cancel, EVERY_KEY),
  claimReduceKick: jobScript('claim-reduce-kick-3.lua', claimReduceKick, ['meta', 'partials', 'reduceKick']),
  claimSupervisorStart: jobScript('claim-supervisor-start-3.lua', claimSupervisorStart, ['meta', 'lease', 'supervisorStart']),
  claimTask: jobScript('claim-task-9.lua', claimTask, ['meta', 'claimNext', 'requeued', 'leases', 'claimedBy', 'workers', 'partials', 'starts', 'startedBy']),
  completeTask: jobScript('complete-task-6.lua', completeTask, ['meta', 'partials', 'doneBits', 'tasks', 'leases', 'claimedBy']),
  create: jobScript('create-2.lua', create, ['meta', 'inputs']),
  failJob: jobScript('fail-job-1.lua', failJob, ['meta']),
  failTask: jobScript('fail-task-4.lua', failTask, ['meta', 'attempts', 'partials', 'taskErrors']),
  finish: jobScript('finish-2.lua', finish, ['meta', 'result']),
  holdLease: jobScript('hold-lease-2.lua', holdLease, ['meta', 'lease']),
  markDispatched: jobScript('mark-dispatched-2.lua', markDispatched, ['meta', 'dispatched']),
  markWorkers: jobScript('mark-workers-2.lua', markWorkers, ['meta', 'workers']),
  purgeCancelled: jobScript('purge-cancelled-21.lua', purgeCancelled, EVERY_KEY),
  reinvoke: jobScript('reinvoke-5.lua', reinvoke, ['meta', 'partials', 'retried', 'speculated', 'dispatched']),
  reinvokeRanges: jobScript('reinvoke-ranges-3.lua', reinvokeRanges, ['meta', 'partials', 'retried']),
  releaseLease: jobScript('release-lease-1.lua', releaseLease, ['lease']),
  remove: jobScript('remove-21.lua', remove, EVERY_KEY),
  renewLease: jobScript('renew-lease-4.lua', renewLease, ['meta', 'leases', 'claimedBy', 'workers']),
  requeueExpired: jobScript('requeue-expired-6.lua', requeueExpired, ['meta', 'partials', 'retried', 'requeued', 'leases', 'claimedBy']),
  requeueTask: jobScript('requeue-task-6.lua', requeueTask, ['meta', 'partials', 'retried', 'requeued', 'leases', 'claimedBy']),
  speculateTask: jobScript('speculate-task-4.lua', speculateTask, ['meta', 'partials', 'speculated', 'requeued']),
  startTask: jobScript('start-task-3.lua', startTask, ['meta', 'starts', 'startedBy']),
};
