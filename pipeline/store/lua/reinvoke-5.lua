-- Whether to invoke a task again. `lost`, `failed` and `timeout` spend the job's retry budget (the job fails once it is
-- spent, and 'failed' is published on its `ended` channel); `spec` starts at most one speculative copy per task and
-- spends nothing.
-- KEYS: meta, partials, retried, speculated, dispatched
-- ARGV[1] task index, ARGV[2] kind (lost|failed|timeout|spec), ARGV[3] now (ms), ARGV[4] the job's error if the
-- budget is spent, ARGV[5] the dispatch mark the caller judged ('' for any)
-- Returns {verdict, n}: 1 = invoke it again (n: its re-invocations so far); 0 = no need (done, already speculated,
-- or invoked again since the caller looked); -1 = the job is not running; -2 = the budget is spent, the job failed now.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local retriedKey = KEYS[3]
local speculatedKey = KEYS[4]
local dispatchedKey = KEYS[5]
if jobState() ~= 'running' then return {-1, 0} end
if redis.call('HEXISTS', partialsKey, ARGV[1]) == 1 then return {0, 0} end
if ARGV[5] ~= '' and redis.call('HGET', dispatchedKey, ARGV[1]) ~= ARGV[5] then return {0, 0} end
if ARGV[2] == 'spec' then
  if redis.call('HSETNX', speculatedKey, ARGV[1], ARGV[3]) == 0 then return {0, 0} end
  expireWithJob(speculatedKey)
  redis.call('HINCRBY', metaKey, 'speculated', 1)
  return {1, 0}
end
local used = tonumber(redis.call('HGET', metaKey, 'reinvokes') or '0')
if used >= tonumber(redis.call('HGET', metaKey, 'retryBudget') or '0') then
  failJob(ARGV[4], 'failedTask', ARGV[1], 'lastEnd', ARGV[3])
  return {-2, used}
end
redis.call('HINCRBY', metaKey, 'reinvokes', 1)
local n = redis.call('HINCRBY', retriedKey, ARGV[1], 1)
expireWithJob(retriedKey)
return {1, n}
