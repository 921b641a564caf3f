-- Removes whatever a late writer left beside a cancelled job's record.
-- KEYS: every key of the job, meta first (keys.ts order after them)
-- Returns 1 when the job is cancelled (and its other keys are gone), else 0.
-- @include "includes/job.lua"
if jobState() ~= 'cancelled' then return 0 end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
