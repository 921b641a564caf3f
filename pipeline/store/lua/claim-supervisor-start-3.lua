-- Whether the caller should start a supervisor for the job: it runs, no supervisor holds its lease, and none was
-- started within the marker's time.
-- KEYS: meta, lease, supervisorStart
-- ARGV[1] marker time (ms)
-- Returns 1 when the caller should start one, else 0.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local leaseKey = KEYS[2]
local supervisorStartKey = KEYS[3]
if jobState() ~= 'running' then return 0 end
if redis.call('EXISTS', leaseKey) == 1 then return 0 end
if not redis.call('SET', supervisorStartKey, '1', 'NX', 'PX', ARGV[1]) then return 0 end
return 1
