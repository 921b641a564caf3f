-- Creates a job: its meta hash holds the spec, `state` running and the expiry of all its keys.
-- KEYS[1] meta
-- ARGV[1] expiresAt (epoch ms); ARGV[2..] field, value pairs
-- Returns 1 when created, 0 when a job with this id exists (nothing is changed then).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
