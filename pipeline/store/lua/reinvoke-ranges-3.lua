-- For the supervisor: the ranges of tasks a lost coordinator (or `split`) never dispatched go to fresh coordinators.
-- Each range counts as one re-sent range and every task in them not yet done counts as invoked again. They do not spend
-- the job's retry budget: a coordinator that is only slow (a busy platform, throttling) looks lost too, and its ranges
-- are dispatch, not a task's failed attempts; a budget they had used up would fail a later task's first real loss.
-- KEYS: meta, partials, retried
-- ARGV[1..] pairs of task indices from, to (to exclusive)
-- Returns {verdict, tasks}: 1 = dispatch them (tasks: how many now count as invoked again); -1 the job is not running.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local retriedKey = KEYS[3]
if jobState() ~= 'running' then return {-1, 0} end
local ranges = #ARGV / 2
redis.call('HINCRBY', metaKey, 'resentRanges', ranges)
local tasks = 0
for r = 1, #ARGV, 2 do
  for index = tonumber(ARGV[r]), tonumber(ARGV[r + 1]) - 1 do
    if redis.call('HEXISTS', partialsKey, index) == 0 then
      redis.call('HINCRBY', retriedKey, index, 1)
      tasks = tasks + 1
    end
  end
end
if tasks > 0 then expireWithJob(retriedKey) end
return {1, tasks}
