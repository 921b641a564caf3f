-- Stores a task's partial, its done bit and its record in one step, and drops the task's lease (pull mode); a task done
-- before changes nothing else.
-- KEYS[1] meta, KEYS[2] partials, KEYS[3] doneBits, KEYS[4] tasks, KEYS[5] leases, KEYS[6] claimedBy
-- ARGV[1] task index, ARGV[2] partial (JSON), ARGV[3] now (ms), ARGV[4] task record (JSON, '' for none)
-- Returns {added, done, completedNow}: completedNow is 1 for exactly one call, the one whose partial made the count
-- whole while the job runs; {0, 0, 0} for a cancelled job; false for an unknown job.
-- @include "includes/job.lua"
local state = jobState()
if not state then return false end
if state == 'cancelled' then return {0, 0, 0} end
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
local added = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
if added == 1 then
  expireWithJob(KEYS[2])
  redis.call('SETBIT', KEYS[3], ARGV[1], 1)
  expireWithJob(KEYS[3])
  if ARGV[4] ~= '' then
    redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
    expireWithJob(KEYS[4])
  end
  local last = redis.call('HGET', KEYS[1], 'lastEnd')
  if not last or tonumber(ARGV[3]) > tonumber(last) then redis.call('HSET', KEYS[1], 'lastEnd', ARGV[3]) end
end
local done = redis.call('HLEN', KEYS[2])
local completed = 0
if added == 1 and state == 'running' and done == tonumber(redis.call('HGET', KEYS[1], 'total')) then completed = 1 end
return {added, done, completed}
