-- Counts a failed attempt of a task (an error, or a run past the task timeout). The job fails once the task has
-- failed more than its retries ('failed' is then published on the job's `ended` channel).
-- KEYS: meta, attempts, partials, taskErrors (taskErrors: "ms:message": when, and the attempt's message cut to 500 bytes)
-- ARGV[1] task index, ARGV[2] error, ARGV[3] retries per task, ARGV[4] now (ms)
-- Returns {attempts, failedNow, retry}: retry is 1 when the task should run again (the job runs and no other attempt
-- of the task has succeeded); {0, 0, 0} for a cancelled job; false for an unknown job.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local attemptsKey = KEYS[2]
local partialsKey = KEYS[3]
local taskErrorsKey = KEYS[4]
local state = jobState()
if not state then return false end
if state == 'cancelled' then return {0, 0, 0} end
local attempts = redis.call('HINCRBY', attemptsKey, ARGV[1], 1)
expireWithJob(attemptsKey)
redis.call('HSET', taskErrorsKey, ARGV[1], ARGV[4] .. ':' .. string.sub(ARGV[2], 1, 500))
expireWithJob(taskErrorsKey)
if redis.call('HEXISTS', partialsKey, ARGV[1]) == 1 or state ~= 'running' then return {attempts, 0, 0} end
if attempts > tonumber(ARGV[3]) then
  failJob(ARGV[2], 'failedTask', ARGV[1], 'lastEnd', ARGV[4])
  return {attempts, 1, 0}
end
return {attempts, 0, 1}
