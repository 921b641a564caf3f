-- Counts a failed attempt of a task (an error, or a run past the task timeout). The job fails once the task has
-- failed more than its retries ('failed' is then published on the job's `ended` channel).
-- KEYS[1] meta, KEYS[2] attempts, KEYS[3] partials, KEYS[4] taskErrors ("ms:message": when, and the attempt's message cut to 500 bytes)
-- ARGV[1] task index, ARGV[2] error, ARGV[3] retries per task, ARGV[4] now (ms)
-- Returns {attempts, failedNow, retry}: retry is 1 when the task should run again (the job runs and no other attempt
-- of the task has succeeded); {0, 0, 0} for a cancelled job; false for an unknown job.
-- @include "includes/job.lua"
local state = jobState()
if not state then return false end
if state == 'cancelled' then return {0, 0, 0} end
local attempts = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
expireWithJob(KEYS[2])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4] .. ':' .. string.sub(ARGV[2], 1, 500))
expireWithJob(KEYS[4])
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 or state ~= 'running' then return {attempts, 0, 0} end
if attempts > tonumber(ARGV[3]) then
  failJob(ARGV[2], 'failedTask', ARGV[1], 'lastEnd', ARGV[4])
  return {attempts, 1, 0}
end
return {attempts, 0, 1}
