// Every Redis script of the job store, one `.lua` file each (headers there give KEYS, ARGV and the reply), loaded once
// per server by EVALSHA with an EVAL fallback.
import { Script } from './redis.ts';
import cancel from './lua/cancel.lua';
import claimTask from './lua/claim-task.lua';
import claimReduceKick from './lua/claim-reduce-kick.lua';
import claimSupervisorStart from './lua/claim-supervisor-start.lua';
import completeTask from './lua/complete-task.lua';
import create from './lua/create.lua';
import failJob from './lua/fail-job.lua';
import failTask from './lua/fail-task.lua';
import finish from './lua/finish.lua';
import holdLease from './lua/hold-lease.lua';
import markDispatched from './lua/mark-dispatched.lua';
import markWorkers from './lua/mark-workers.lua';
import purgeCancelled from './lua/purge-cancelled.lua';
import reinvoke from './lua/reinvoke.lua';
import reinvokeRanges from './lua/reinvoke-ranges.lua';
import releaseLease from './lua/release-lease.lua';
import renewLease from './lua/renew-lease.lua';
import requeueExpired from './lua/requeue-expired.lua';
import requeueTask from './lua/requeue-task.lua';
import speculateTask from './lua/speculate-task.lua';
import startTask from './lua/start-task.lua';

export const scripts = {
  cancel: new Script(cancel),
  claimTask: new Script(claimTask),
  claimReduceKick: new Script(claimReduceKick),
  claimSupervisorStart: new Script(claimSupervisorStart),
  completeTask: new Script(completeTask),
  create: new Script(create),
  failJob: new Script(failJob),
  failTask: new Script(failTask),
  finish: new Script(finish),
  holdLease: new Script(holdLease),
  markDispatched: new Script(markDispatched),
  markWorkers: new Script(markWorkers),
  purgeCancelled: new Script(purgeCancelled),
  reinvoke: new Script(reinvoke),
  reinvokeRanges: new Script(reinvokeRanges),
  releaseLease: new Script(releaseLease),
  renewLease: new Script(renewLease),
  requeueExpired: new Script(requeueExpired),
  requeueTask: new Script(requeueTask),
  speculateTask: new Script(speculateTask),
  startTask: new Script(startTask),
};
