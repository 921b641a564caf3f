-- Pull mode: records that worker slots were just invoked, so the supervisor gives them time to start before it takes
-- them for lost.
-- KEYS: meta, workers
-- ARGV[1] now (ms), ARGV[2..] worker slots
-- Returns the job's state (nothing is written unless it runs), false for an unknown job.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local workersKey = KEYS[2]
local state = jobState()
if state ~= 'running' then return state end
for i = 2, #ARGV do redis.call('HSET', workersKey, ARGV[i], ARGV[1]) end
expireWithJob(workersKey)
return state
