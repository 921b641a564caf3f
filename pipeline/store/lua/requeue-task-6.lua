-- Pull mode: a failed attempt's task goes back to the queue, paid from the job's retry budget (the job fails once it
-- is spent), as a re-invoke is in push mode.
-- KEYS: meta, partials, retried, requeued, leases, claimedBy
-- ARGV[1] task index, ARGV[2] now (ms), ARGV[3] the job's error if the budget is spent
-- Returns {verdict, n}: 1 = requeued (n: its re-runs so far); 0 = no need (done); -1 = the job is not running;
-- -2 = the budget is spent, the job failed now.
-- @include "includes/job.lua"
-- @include "includes/requeue.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local retriedKey = KEYS[3]
local requeuedKey = KEYS[4]
local leasesKey = KEYS[5]
local claimedByKey = KEYS[6]
if jobState() ~= 'running' then return {-1, 0} end
redis.call('ZREM', leasesKey, ARGV[1])
redis.call('HDEL', claimedByKey, ARGV[1])
if redis.call('HEXISTS', partialsKey, ARGV[1]) == 1 then return {0, 0} end
local n = requeue(retriedKey, requeuedKey, ARGV[1], ARGV[2], ARGV[3])
if n < 0 then return {-2, 0} end
return {1, n}
