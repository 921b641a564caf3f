-- Pull mode, for the supervisor: tasks whose lease expired (their worker died, or lost Redis for longer than a lease)
-- go back to the queue; done ones are dropped. What is lost is a worker, with every task it held (an I/O-bound worker
-- holds dozens): each lost worker is paid once from the job's retry budget (the job fails once it is spent), and
-- every task it held counts as re-run.
-- KEYS[1] meta, KEYS[2] partials, KEYS[3] retried, KEYS[4] requeued, KEYS[5] leases, KEYS[6] claimedBy
-- ARGV[1] now (ms), ARGV[2] the job's error if the budget is spent, ARGV[3] most tasks to requeue
-- Returns {verdict, index...}: verdict 1 with the requeued indices; -1 the job is not running; -2 the budget is spent,
-- the job failed now (with the indices requeued before).
-- @include "includes/job.lua"
-- @include "includes/requeue.lua"
if jobState() ~= 'running' then return {-1} end
local expired = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {1}
local paidFor = {}
for _, index in ipairs(expired) do
  local worker = redis.call('HGET', KEYS[6], index) or ''
  redis.call('ZREM', KEYS[5], index)
  redis.call('HDEL', KEYS[6], index)
  if redis.call('HEXISTS', KEYS[2], index) == 0 then
    local free = paidFor[worker] == true
    paidFor[worker] = true
    if requeue(index, ARGV[1], ARGV[2], free) < 0 then
      out[1] = -2
      return out
    end
    out[#out + 1] = tonumber(index)
  end
end
return out
