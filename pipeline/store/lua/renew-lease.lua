-- Pull mode: a worker still at a task extends the task's lease and says it is alive.
-- KEYS[1] meta, KEYS[2] leases, KEYS[3] claimedBy, KEYS[4] workers
-- ARGV[1] task index, ARGV[2] worker, ARGV[3] now (ms), ARGV[4] lease time (ms)
-- Returns 1 when the worker still holds the lease (renewed now), 0 when it lost it (expired and requeued, or the task
-- completed) or the job is not running.
-- @include "includes/job.lua"
if jobState() ~= 'running' then return 0 end
redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
expireWithJob(KEYS[4])
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] or not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[2], 'XX', tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
return 1
