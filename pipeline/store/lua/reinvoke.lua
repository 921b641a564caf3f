-- Whether to invoke a task again. `lost`, `failed` and `timeout` spend the job's retry budget (the job fails once it is
-- spent, and 'failed' is published on its `ended` channel); `spec` starts at most one speculative copy per task and
-- spends nothing.
-- KEYS[1] meta, KEYS[2] partials, KEYS[3] retried, KEYS[4] speculated, KEYS[5] dispatched
-- ARGV[1] task index, ARGV[2] kind (lost|failed|timeout|spec), ARGV[3] now (ms), ARGV[4] the job's error if the
-- budget is spent, ARGV[5] the dispatch mark the caller judged ('' for any)
-- Returns {verdict, n}: 1 = invoke it again (n: its re-invocations so far); 0 = no need (done, already speculated,
-- or invoked again since the caller looked); -1 = the job is not running; -2 = the budget is spent, the job failed now.
-- @include "includes/job.lua"
if jobState() ~= 'running' then return {-1, 0} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {0, 0} end
if ARGV[5] ~= '' and redis.call('HGET', KEYS[5], ARGV[1]) ~= ARGV[5] then return {0, 0} end
if ARGV[2] == 'spec' then
  if redis.call('HSETNX', KEYS[4], ARGV[1], ARGV[3]) == 0 then return {0, 0} end
  expireWithJob(KEYS[4])
  redis.call('HINCRBY', KEYS[1], 'speculated', 1)
  return {1, 0}
end
local used = tonumber(redis.call('HGET', KEYS[1], 'reinvokes') or '0')
if used >= tonumber(redis.call('HGET', KEYS[1], 'retryBudget') or '0') then
  failJob(ARGV[4], 'failedTask', ARGV[1], 'lastEnd', ARGV[3])
  return {-2, used}
end
redis.call('HINCRBY', KEYS[1], 'reinvokes', 1)
local n = redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
expireWithJob(KEYS[3])
return {1, n}
