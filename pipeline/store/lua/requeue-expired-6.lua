-- Pull mode, for the supervisor: tasks whose lease expired (their worker died, or lost Redis for longer than a lease)
-- go back to the queue; done ones are dropped. What is lost is a worker, with every task it held (an I/O-bound worker
-- holds dozens): each lost worker is paid once from the job's retry budget (the job fails once it is spent), and
-- every task it held counts as re-run.
-- KEYS: meta, partials, retried, requeued, leases, claimedBy
-- ARGV[1] now (ms), ARGV[2] the job's error if the budget is spent, ARGV[3] most tasks to requeue
-- Returns {verdict, index...}: verdict 1 with the requeued indices; -1 the job is not running; -2 the budget is spent,
-- the job failed now (with the indices requeued before).
-- @include "includes/job.lua"
-- @include "includes/requeue.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local retriedKey = KEYS[3]
local requeuedKey = KEYS[4]
local leasesKey = KEYS[5]
local claimedByKey = KEYS[6]
if jobState() ~= 'running' then return {-1} end
local expired = redis.call('ZRANGEBYSCORE', leasesKey, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {1}
local paidFor = {}
for _, index in ipairs(expired) do
  local worker = redis.call('HGET', claimedByKey, index) or ''
  redis.call('ZREM', leasesKey, index)
  redis.call('HDEL', claimedByKey, index)
  if redis.call('HEXISTS', partialsKey, index) == 0 then
    local free = paidFor[worker] == true
    paidFor[worker] = true
    if requeue(retriedKey, requeuedKey, index, ARGV[1], ARGV[2], free) < 0 then
      out[1] = -2
      return out
    end
    out[#out + 1] = tonumber(index)
  end
end
return out
