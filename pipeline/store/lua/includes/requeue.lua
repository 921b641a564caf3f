-- Pull mode, shared by the scripts that put a task back in the queue; needs includes/job.lua.

-- Requeues task `index`; unless `free`, it spends one re-run of the job's retry budget. Returns the task's re-runs so
-- far, or -1 when the budget is spent (the job is failed with `reason` then, and nothing is requeued).
local function requeue(retriedKey, requeuedKey, index, now, reason, free)
  if not free then
    local used = tonumber(redis.call('HGET', jobMetaKey, 'reinvokes') or '0')
    if used >= tonumber(redis.call('HGET', jobMetaKey, 'retryBudget') or '0') then
      failJob(reason, 'failedTask', index, 'lastEnd', now)
      return -1
    end
    redis.call('HINCRBY', jobMetaKey, 'reinvokes', 1)
  end
  local n = redis.call('HINCRBY', retriedKey, index, 1)
  expireWithJob(retriedKey)
  redis.call('RPUSH', requeuedKey, index)
  expireWithJob(requeuedKey)
  return n
end
