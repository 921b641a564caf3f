-- Stores a task's partial, its done bit and its record in one step, and drops the task's lease (pull mode); a task done
-- before changes nothing else.
-- KEYS: meta, partials, doneBits, tasks, leases, claimedBy
-- ARGV[1] task index, ARGV[2] partial (JSON), ARGV[3] now (ms), ARGV[4] task record (JSON, '' for none)
-- Returns {added, done, completedNow}: completedNow is 1 for exactly one call, the one whose partial made the count
-- whole while the job runs; {0, 0, 0} for a cancelled job; false for an unknown job.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local doneBitsKey = KEYS[3]
local tasksKey = KEYS[4]
local leasesKey = KEYS[5]
local claimedByKey = KEYS[6]
local state = jobState()
if not state then return false end
if state == 'cancelled' then return {0, 0, 0} end
redis.call('ZREM', leasesKey, ARGV[1])
redis.call('HDEL', claimedByKey, ARGV[1])
local added = redis.call('HSETNX', partialsKey, ARGV[1], ARGV[2])
if added == 1 then
  expireWithJob(partialsKey)
  redis.call('SETBIT', doneBitsKey, ARGV[1], 1)
  expireWithJob(doneBitsKey)
  if ARGV[4] ~= '' then
    redis.call('HSET', tasksKey, ARGV[1], ARGV[4])
    expireWithJob(tasksKey)
  end
  local last = redis.call('HGET', metaKey, 'lastEnd')
  if not last or tonumber(ARGV[3]) > tonumber(last) then redis.call('HSET', metaKey, 'lastEnd', ARGV[3]) end
end
local done = redis.call('HLEN', partialsKey)
local completed = 0
if added == 1 and state == 'running' and done == tonumber(redis.call('HGET', metaKey, 'total')) then completed = 1 end
return {added, done, completed}
