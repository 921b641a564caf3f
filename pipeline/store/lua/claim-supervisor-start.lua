-- Whether the caller should start a supervisor for the job: it runs, no supervisor holds its lease, and none was
-- started within the marker's time.
-- KEYS[1] meta, KEYS[2] lease, KEYS[3] start marker
-- ARGV[1] marker time (ms)
-- Returns 1 when the caller should start one, else 0.
-- @include "includes/job.lua"
if jobState() ~= 'running' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return 0 end
return 1
