-- Removes every key of a job that could not be started (its entry action takes it back out), whatever its state.
-- KEYS: every key of the job, meta first (keys.ts order)
-- Returns the number of keys removed.
local removed = 0
for i = 1, #KEYS do removed = removed + redis.call('DEL', KEYS[i]) end
return removed
