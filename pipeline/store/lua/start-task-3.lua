-- Records the start of a task's attempt: its start time and the activation running it (per task, the latest attempt),
-- and the first and last start over the job.
-- KEYS: meta, starts, startedBy
-- ARGV[1] task index, ARGV[2] now (ms), ARGV[3] activation id ('' when unknown)
-- Returns the job's state (a cancelled job records nothing), false for an unknown job.
-- @include "includes/job.lua"
-- @include "includes/start.lua"
local metaKey = KEYS[1]
local startsKey = KEYS[2]
local startedByKey = KEYS[3]
local state = jobState()
if not state then return false end
if state == 'cancelled' then return state end
recordStart(startsKey, startedByKey, ARGV[1], ARGV[2], ARGV[3])
return state
