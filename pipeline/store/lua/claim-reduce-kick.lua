-- Whether the caller should start a reduce that seems lost: the job runs with every task done, the last one ended
-- at least the grace period ago, and nobody has claimed a kick within that period (at least a second).
-- KEYS[1] meta, KEYS[2] partials, KEYS[3] kick marker
-- ARGV[1] now (ms), ARGV[2] grace period (ms)
-- Returns 1 when the caller has the claim, else 0.
-- @include "includes/job.lua"
if jobState() ~= 'running' then return 0 end
if redis.call('HLEN', KEYS[2]) ~= tonumber(redis.call('HGET', KEYS[1], 'total')) then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'lastEnd') or '0')
if tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then return 0 end
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', math.max(1000, tonumber(ARGV[2]))) then return 0 end
return 1
