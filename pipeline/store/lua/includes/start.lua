-- Records the start of a task's attempt (needs includes/job.lua): its start time and the activation running
-- it (per task, the latest attempt), and the first and last start over the job.
local function recordStart(startsKey, startedByKey, index, now, activationId)
  redis.call('HSET', startsKey, index, now)
  expireWithJob(startsKey)
  if activationId ~= '' then
    redis.call('HSET', startedByKey, index, activationId)
    expireWithJob(startedByKey)
  else
    redis.call('HDEL', startedByKey, index)
  end
  local first = redis.call('HGET', jobMetaKey, 'firstStart')
  if not first or tonumber(now) < tonumber(first) then redis.call('HSET', jobMetaKey, 'firstStart', now) end
  local last = redis.call('HGET', jobMetaKey, 'lastStart')
  if not last or tonumber(now) > tonumber(last) then redis.call('HSET', jobMetaKey, 'lastStart', now) end
end
