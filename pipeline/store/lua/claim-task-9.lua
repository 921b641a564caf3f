-- Pull mode: a worker claims the next task to run, takes its lease and records the attempt's start (one round trip per
-- task for both). Requeued tasks (a lease that expired, a failed attempt, a speculative copy) come first, then the first
-- claims in index order; a task done meanwhile is passed over.
-- KEYS: meta, claimNext, requeued, leases, claimedBy, workers, partials, starts, startedBy
-- ARGV[1] worker, ARGV[2] now (ms), ARGV[3] lease time (ms), ARGV[4] the claiming activation's id ('' when unknown)
-- Returns the task index; -1 when nothing is left to claim (the worker is marked gone); the job's state when it is
-- not running (nothing is written); false for an unknown job.
-- @include "includes/job.lua"
-- @include "includes/start.lua"
local metaKey = KEYS[1]
local claimNextKey = KEYS[2]
local requeuedKey = KEYS[3]
local leasesKey = KEYS[4]
local claimedByKey = KEYS[5]
local workersKey = KEYS[6]
local partialsKey = KEYS[7]
local startsKey = KEYS[8]
local startedByKey = KEYS[9]
local state = jobState()
if not state then return false end
if state ~= 'running' then return state end
local index = -1
while true do
  local again = redis.call('LPOP', requeuedKey)
  if not again then break end
  if redis.call('HEXISTS', partialsKey, again) == 0 then
    index = tonumber(again)
    break
  end
end
if index < 0 then
  local total = tonumber(redis.call('HGET', metaKey, 'total'))
  while tonumber(redis.call('GET', claimNextKey) or '0') < total do
    local next = redis.call('INCR', claimNextKey) - 1
    expireWithJob(claimNextKey)
    if redis.call('HEXISTS', partialsKey, next) == 0 then
      index = next
      break
    end
  end
end
if index < 0 then
  redis.call('HSET', workersKey, ARGV[1], 0)
  expireWithJob(workersKey)
  return -1
end
redis.call('ZADD', leasesKey, tonumber(ARGV[2]) + tonumber(ARGV[3]), index)
expireWithJob(leasesKey)
redis.call('HSET', claimedByKey, index, ARGV[1])
expireWithJob(claimedByKey)
redis.call('HSET', workersKey, ARGV[1], ARGV[2])
expireWithJob(workersKey)
recordStart(startsKey, startedByKey, index, ARGV[2], ARGV[4])
return index
