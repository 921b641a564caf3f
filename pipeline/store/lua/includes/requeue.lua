-- Pull mode, shared by the scripts that put a task back in the queue; needs includes/job.lua, KEYS[3] retried and
-- KEYS[4] requeued.

-- Requeues task `index`; unless `free`, it spends one re-run of the job's retry budget. Returns the task's re-runs so
-- far, or -1 when the budget is spent (the job is failed with `reason` then, and nothing is requeued).
local function requeue(index, now, reason, free)
  if not free then
    local used = tonumber(redis.call('HGET', KEYS[1], 'reinvokes') or '0')
    if used >= tonumber(redis.call('HGET', KEYS[1], 'retryBudget') or '0') then
      failJob(reason, 'failedTask', index, 'lastEnd', now)
      return -1
    end
    redis.call('HINCRBY', KEYS[1], 'reinvokes', 1)
  end
  local n = redis.call('HINCRBY', KEYS[3], index, 1)
  expireWithJob(KEYS[3])
  redis.call('RPUSH', KEYS[4], index)
  expireWithJob(KEYS[4])
  return n
end
