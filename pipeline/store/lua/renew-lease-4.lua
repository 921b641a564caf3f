-- Pull mode: a worker still at a task extends the task's lease and says it is alive.
-- KEYS: meta, leases, claimedBy, workers
-- ARGV[1] task index, ARGV[2] worker, ARGV[3] now (ms), ARGV[4] lease time (ms)
-- Returns 1 when the worker still holds the lease (renewed now), 0 when it lost it (expired and requeued, or the task
-- completed) or the job is not running.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local leasesKey = KEYS[2]
local claimedByKey = KEYS[3]
local workersKey = KEYS[4]
if jobState() ~= 'running' then return 0 end
redis.call('HSET', workersKey, ARGV[2], ARGV[3])
expireWithJob(workersKey)
if redis.call('HGET', claimedByKey, ARGV[1]) ~= ARGV[2] or not redis.call('ZSCORE', leasesKey, ARGV[1]) then return 0 end
redis.call('ZADD', leasesKey, 'XX', tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
return 1
