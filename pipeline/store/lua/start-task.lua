-- Records the start of a task's attempt: its start time and the activation running it (per task, the latest attempt),
-- and the first and last start over the job.
-- KEYS[1] meta, KEYS[2] starts, KEYS[3] startedBy
-- ARGV[1] task index, ARGV[2] now (ms), ARGV[3] activation id ('' when unknown)
-- Returns the job's state (a cancelled job records nothing), false for an unknown job.
-- @include "includes/job.lua"
local state = jobState()
if not state then return false end
if state == 'cancelled' then return state end
local now = tonumber(ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
expireWithJob(KEYS[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
  expireWithJob(KEYS[3])
else
  redis.call('HDEL', KEYS[3], ARGV[1])
end
local first = redis.call('HGET', KEYS[1], 'firstStart')
if not first or now < tonumber(first) then redis.call('HSET', KEYS[1], 'firstStart', ARGV[2]) end
local last = redis.call('HGET', KEYS[1], 'lastStart')
if not last or now > tonumber(last) then redis.call('HSET', KEYS[1], 'lastStart', ARGV[2]) end
return state
