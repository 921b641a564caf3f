-- Creates a job: its meta hash holds the spec, `state` running and the expiry of all its keys; a job with a data
-- input gets its tasks' slices in the same step, expiring with it.
-- KEYS: meta, inputs
-- ARGV[1] expiresAt (epoch ms); ARGV[2] n, the number of task inputs; ARGV[3..2+n] task i's input (JSON, task 0
-- first); ARGV[3+n..] field, value pairs
-- Returns 1 when created, 0 when a job with this id exists (nothing is changed then).
local metaKey = KEYS[1]
local inputsKey = KEYS[2]
if redis.call('EXISTS', metaKey) == 1 then return 0 end
local n = tonumber(ARGV[2])
redis.call('HSET', metaKey, unpack(ARGV, 3 + n))
redis.call('PEXPIREAT', metaKey, ARGV[1])
if n > 0 then
  redis.call('DEL', inputsKey)
  -- In batches: unpack's stack is bounded.
  local batch = {}
  for i = 1, n do
    batch[#batch + 1] = tostring(i - 1)
    batch[#batch + 1] = ARGV[2 + i]
    if #batch >= 1000 or i == n then
      redis.call('HSET', inputsKey, unpack(batch))
      batch = {}
    end
  end
  redis.call('PEXPIREAT', inputsKey, ARGV[1])
end
return 1
