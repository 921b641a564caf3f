-- Whether the caller should start a reduce that seems lost: the job runs with every task done, the last one ended
-- at least the grace period ago, and nobody has claimed a kick within that period (at least a second).
-- KEYS: meta, partials, reduceKick
-- ARGV[1] now (ms), ARGV[2] grace period (ms)
-- Returns 1 when the caller has the claim, else 0.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local partialsKey = KEYS[2]
local reduceKickKey = KEYS[3]
if jobState() ~= 'running' then return 0 end
if redis.call('HLEN', partialsKey) ~= tonumber(redis.call('HGET', metaKey, 'total')) then return 0 end
local last = tonumber(redis.call('HGET', metaKey, 'lastEnd') or '0')
if tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then return 0 end
if not redis.call('SET', reduceKickKey, ARGV[1], 'NX', 'PX', math.max(1000, tonumber(ARGV[2]))) then return 0 end
return 1
