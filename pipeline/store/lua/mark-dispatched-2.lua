-- Records invokes of tasks (dispatch marks); only coordinators move lastDispatch, which tells whether the tree of
-- coordinators is still at work (a coordinator waiting on its outstanding tasks calls it with no marks now and then),
-- and clear the count of hand-overs to fresh coordinators since one last did (lua/reinvoke-ranges-3.lua).
-- KEYS: meta, dispatched
-- ARGV[1] now (ms), ARGV[2] 1 when a coordinator dispatches (else 0), ARGV[3..] task index, "ms:activationId" pairs
-- Returns the job's state (nothing is written unless it runs), false for an unknown job.
-- @include "includes/job.lua"
local metaKey = KEYS[1]
local dispatchedKey = KEYS[2]
local state = jobState()
if state ~= 'running' then return state end
if #ARGV > 2 then
  redis.call('HSET', dispatchedKey, unpack(ARGV, 3))
  expireWithJob(dispatchedKey)
end
if ARGV[2] == '1' then
  redis.call('HSET', metaKey, 'lastDispatch', ARGV[1])
  redis.call('HDEL', metaKey, 'resendsSinceDispatch')
end
return state
