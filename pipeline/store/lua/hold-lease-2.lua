-- Takes or renews a lease on a running job (the supervisor's): one holder at a time, lost unless renewed.
-- KEYS: meta, lease
-- ARGV[1] holder, ARGV[2] lease time (ms)
-- Returns 1 when the caller holds the lease now, 0 when another does or the job is not running.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local leaseKey = KEYS[2]
if jobState() ~= 'running' then return 0 end
local holder = redis.call('GET', leaseKey)
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', leaseKey, ARGV[1], 'PX', ARGV[2])
return 1
