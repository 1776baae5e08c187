-- Takes the writer lease when it is free, or when it holds exactly the value given (a dead
-- predecessor's, read just before), and starts a new epoch.
-- KEYS[1] the writer lease; KEYS[2] the epoch key
-- ARGV[1] this writer ("<host> <pid> <unique id>"); ARGV[2] the lease's time to live in ms
-- ARGV[3] the dead holder's exact value, or '' to take a free lease only
-- Result  the new epoch (1 when Redis held none), or 0 when the lease is another's
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[3] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local epoch = (tonumber(redis.call('GET', KEYS[2]) or '0') or 0) + 1
redis.call('SET', KEYS[2], epoch)
return epoch
