-- Pull mode: queues one speculative copy of a task that runs far longer than the others. Its first attempt keeps
-- running; whichever completes first counts. At most one copy per task; it spends nothing of the retry budget.
-- KEYS: meta, partials, speculated, requeued
-- ARGV[1] task index, ARGV[2] now (ms)
-- Returns 1 when the copy was queued, 0 when none is needed (the task is done, or had its copy), -1 when the job is
-- not running.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local speculatedKey = KEYS[3]
local requeuedKey = KEYS[4]
if jobState() ~= 'running' then return -1 end
if redis.call('HEXISTS', partialsKey, ARGV[1]) == 1 then return 0 end
if redis.call('HSETNX', speculatedKey, ARGV[1], ARGV[2]) == 0 then return 0 end
expireWithJob(speculatedKey)
redis.call('HINCRBY', metaKey, 'speculated', 1)
redis.call('RPUSH', requeuedKey, ARGV[1])
expireWithJob(requeuedKey)
return 1
