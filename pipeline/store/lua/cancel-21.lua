-- Cancels a running job: every key of it goes but for a small meta record (kernel, total, created, done count; a
-- shuffle's also its kernel's control action, results bucket and shuffle spec) that expires after the tombstone time;
-- 'cancelled' is published on the job's `ended` channel.
-- KEYS: every key of the job, meta, partials first (keys.ts order after them)
-- ARGV[1] now (ms), ARGV[2] tombstone time (ms)
-- Returns the state before (the job is cancelled now when it was 'running'), false for an unknown job.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local state = jobState()
if not state then return false end
if state ~= 'running' then return state end
local done = redis.call('HLEN', partialsKey)
local m = redis.call('HMGET', metaKey, 'kernel', 'total', 'created', 'kernelControl', 'resultsBucket', 'shuffle')
for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
local expiresAt = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('HSET', metaKey, 'state', 'cancelled', 'kernel', m[1] or '', 'total', m[2] or '0', 'created', m[3] or ARGV[1],
  'done', done, 'cancelledAt', ARGV[1], 'expiresAt', expiresAt)
-- A shuffle's record keeps what its kernel needs to remove the shuffle's objects.
if m[6] then redis.call('HSET', metaKey, 'kernelControl', m[4] or '', 'resultsBucket', m[5] or '', 'shuffle', m[6]) end
redis.call('PEXPIREAT', metaKey, expiresAt)
announceEnd('cancelled')
return state
