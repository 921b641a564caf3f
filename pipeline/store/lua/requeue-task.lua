-- Pull mode: a failed attempt's task goes back to the queue, paid from the job's retry budget (the job fails once it
-- is spent), as a re-invoke is in push mode.
-- KEYS[1] meta, KEYS[2] partials, KEYS[3] retried, KEYS[4] requeued, KEYS[5] leases, KEYS[6] claimedBy
-- ARGV[1] task index, ARGV[2] now (ms), ARGV[3] the job's error if the budget is spent
-- Returns {verdict, n}: 1 = requeued (n: its re-runs so far); 0 = no need (done); -1 = the job is not running;
-- -2 = the budget is spent, the job failed now.
-- @include "includes/job.lua"
-- @include "includes/requeue.lua"
if jobState() ~= 'running' then return {-1, 0} end
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {0, 0} end
local n = requeue(ARGV[1], ARGV[2], ARGV[3])
if n < 0 then return {-2, 0} end
return {1, n}
