-- Marks a running job failed and publishes 'failed' on the job's `ended` channel.
-- KEYS: meta
-- ARGV[1] error
-- Returns 1 when this call failed it, 0 when it was not running, false for an unknown job.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local state = jobState()
if not state then return false end
if state ~= 'running' then return 0 end
failJob(ARGV[1])
return 1
