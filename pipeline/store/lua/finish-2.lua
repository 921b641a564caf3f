-- Stores a job's result, marks it done and publishes 'done' on the job's `ended` channel.
-- KEYS: meta, result
-- ARGV[1] result (JSON), ARGV[2] now (ms)
-- Returns 1 when this call stored it, 0 when the job was already done, -1 when it had failed or was cancelled,
-- false for an unknown job.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local resultKey = KEYS[2]
local state = jobState()
if not state then return false end
if state == 'done' then return 0 end
if state ~= 'running' then return -1 end
redis.call('SET', resultKey, ARGV[1])
expireWithJob(resultKey)
redis.call('HSET', metaKey, 'state', 'done', 'reduceEnd', ARGV[2])
announceEnd('done')
return 1
