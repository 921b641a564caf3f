-- Pull mode: a worker claims the next task to run, takes its lease and records the attempt's start (one round trip per
-- task for both). Requeued tasks (a lease that expired, a failed attempt, a speculative copy) come first, then the first
-- claims in index order; a task done meanwhile is passed over.
-- KEYS[1] meta, KEYS[2] claimNext, KEYS[3] requeued, KEYS[4] leases, KEYS[5] claimedBy, KEYS[6] workers, KEYS[7] partials,
-- KEYS[8] starts, KEYS[9] startedBy
-- ARGV[1] worker, ARGV[2] now (ms), ARGV[3] lease time (ms), ARGV[4] the claiming activation's id ('' when unknown)
-- Returns the task index; -1 when nothing is left to claim (the worker is marked gone); the job's state when it is
-- not running (nothing is written); false for an unknown job.
-- @include "includes/job.lua"
-- @include "includes/start.lua"
local state = jobState()
if not state then return false end
if state ~= 'running' then return state end
local index = -1
while true do
  local again = redis.call('LPOP', KEYS[3])
  if not again then break end
  if redis.call('HEXISTS', KEYS[7], again) == 0 then
    index = tonumber(again)
    break
  end
end
if index < 0 then
  local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
  while tonumber(redis.call('GET', KEYS[2]) or '0') < total do
    local next = redis.call('INCR', KEYS[2]) - 1
    expireWithJob(KEYS[2])
    if redis.call('HEXISTS', KEYS[7], next) == 0 then
      index = next
      break
    end
  end
end
if index < 0 then
  redis.call('HSET', KEYS[6], ARGV[1], 0)
  expireWithJob(KEYS[6])
  return -1
end
redis.call('ZADD', KEYS[4], tonumber(ARGV[2]) + tonumber(ARGV[3]), index)
expireWithJob(KEYS[4])
redis.call('HSET', KEYS[5], index, ARGV[1])
expireWithJob(KEYS[5])
redis.call('HSET', KEYS[6], ARGV[1], ARGV[2])
expireWithJob(KEYS[6])
recordStart(KEYS[8], KEYS[9], index, ARGV[2], ARGV[4])
return index
