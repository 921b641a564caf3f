-- Shared by every script of a job: its first key is always the job's meta hash.
local jobMetaKey = KEYS[1]

-- The job's state ('running', 'done', 'failed', 'cancelled'), or false for an unknown or expired job.
local function jobState()
  return redis.call('HGET', jobMetaKey, 'state')
end

-- Gives `key` the job's expiry time, so that every key of a job vanishes with it.
local function expireWithJob(key)
  redis.call('PEXPIREAT', key, redis.call('HGET', jobMetaKey, 'expiresAt'))
end

-- Publishes the job's new state ('done', 'failed', 'cancelled') on its `ended` channel (keys.ts: the meta key with
-- `ended` for `meta`), so that whoever waits for the job answers at once. A channel stores nothing.
local function announceEnd(state)
  redis.call('PUBLISH', (string.gsub(jobMetaKey, 'meta$', 'ended')), state)
end

-- Marks the running job failed with `error` and announces it; `extra` adds field, value pairs (failedTask, lastEnd).
local function failJob(reason, ...)
  redis.call('HSET', jobMetaKey, 'state', 'failed', 'error', reason, ...)
  announceEnd('failed')
end
