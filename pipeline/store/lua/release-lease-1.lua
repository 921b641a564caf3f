-- Gives a lease back, if the caller still holds it.
-- KEYS: lease
-- ARGV[1] holder
-- Returns 1.
local leaseKey = KEYS[1]
if redis.call('GET', leaseKey) == ARGV[1] then redis.call('DEL', leaseKey) end
return 1
