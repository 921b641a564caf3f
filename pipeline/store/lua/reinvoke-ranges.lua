-- For the supervisor: the ranges of tasks a lost coordinator (or `split`) never dispatched go to fresh coordinators.
-- Each range is one re-invocation paid from the job's retry budget (the ranges are paid together; the job fails when
-- the budget cannot pay them all), and every task in them not yet done counts as invoked again.
-- KEYS[1] meta, KEYS[2] partials, KEYS[3] retried
-- ARGV[1] now (ms), ARGV[2] the job's error if the budget is spent, ARGV[3..] pairs of task indices from, to (to
-- exclusive)
-- Returns {verdict, tasks}: 1 = dispatch them (tasks: how many now count as invoked again); -1 the job is not running;
-- -2 the budget is spent, the job failed now.
-- @include "includes/job.lua"
if jobState() ~= 'running' then return {-1, 0} end
local ranges = (#ARGV - 2) / 2
local used = tonumber(redis.call('HGET', KEYS[1], 'reinvokes') or '0')
if used + ranges > tonumber(redis.call('HGET', KEYS[1], 'retryBudget') or '0') then
  failJob(ARGV[2], 'lastEnd', ARGV[1])
  return {-2, 0}
end
redis.call('HINCRBY', KEYS[1], 'reinvokes', ranges)
local tasks = 0
for r = 3, #ARGV, 2 do
  for index = tonumber(ARGV[r]), tonumber(ARGV[r + 1]) - 1 do
    if redis.call('HEXISTS', KEYS[2], index) == 0 then
      redis.call('HINCRBY', KEYS[3], index, 1)
      tasks = tasks + 1
    end
  end
end
if tasks > 0 then expireWithJob(KEYS[3]) end
return {1, tasks}
