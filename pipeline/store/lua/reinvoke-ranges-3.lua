-- For the supervisor: the ranges of tasks a lost coordinator (or `split`) never dispatched go to fresh coordinators.
-- Each range counts as one re-sent range, and every task in them not yet done counts as invoked again: it gets a field
-- in `retried`, left at 0 unless the task is invoked again on its own. That count is the task's backoff, and a range
-- sent again says nothing about how its tasks start (counted, a task of ranges sent a few times waited 2^6 start
-- timeouts before it was taken for lost). Ranges do not spend the job's retry budget: a coordinator that is only slow
-- (a busy platform, throttling) looks lost too, and its ranges are dispatch, not a task's failed attempts; a budget
-- they had used up would fail a later task's first real loss.
-- The hand-over restarts the quiet clock (lastDispatch) and counts one more since a coordinator last dispatched
-- (resendsSinceDispatch, cleared by lua/mark-dispatched-2.lua): the supervisor waits twice as long for each before the
-- next, so coordinators slower to start than startTimeoutMs are not sent again and again.
-- KEYS: meta, partials, retried
-- ARGV[1] now (ms), ARGV[2..] pairs of task indices from, to (to exclusive)
-- Returns {verdict, tasks}: 1 = dispatch them (tasks: how many now count as invoked again); -1 the job is not running.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local retriedKey = KEYS[3]
if jobState() ~= 'running' then return {-1, 0} end
local ranges = (#ARGV - 1) / 2
redis.call('HINCRBY', metaKey, 'resentRanges', ranges)
redis.call('HINCRBY', metaKey, 'resendsSinceDispatch', 1)
redis.call('HSET', metaKey, 'lastDispatch', ARGV[1])
local tasks = 0
for r = 2, #ARGV, 2 do
  for index = tonumber(ARGV[r]), tonumber(ARGV[r + 1]) - 1 do
    if redis.call('HEXISTS', partialsKey, index) == 0 then
      redis.call('HSETNX', retriedKey, index, 0)
      tasks = tasks + 1
    end
  end
end
if tasks > 0 then expireWithJob(retriedKey) end
return {1, tasks}
