-- Pull mode: queues one speculative copy of a task that runs far longer than the others. Its first attempt keeps
-- running; whichever completes first counts. At most one copy per task; it spends nothing of the retry budget.
-- KEYS[1] meta, KEYS[2] partials, KEYS[3] speculated, KEYS[4] requeued
-- ARGV[1] task index, ARGV[2] now (ms)
-- Returns 1 when the copy was queued, 0 when none is needed (the task is done, or had its copy), -1 when the job is
-- not running.
-- @include "includes/job.lua"
if jobState() ~= 'running' then return -1 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return 0 end
expireWithJob(KEYS[3])
redis.call('HINCRBY', KEYS[1], 'speculated', 1)
redis.call('RPUSH', KEYS[4], ARGV[1])
expireWithJob(KEYS[4])
return 1
