-- Renews the writer lease while its epoch is still current; takes it back when it lapsed and
-- nobody took over meanwhile.
-- KEYS[1] the writer lease; KEYS[2] the epoch key
-- ARGV[1] this writer; ARGV[2] the lease's time to live in ms; ARGV[3] this writer's epoch
-- ARGV[4] '1' to also write this epoch back when Redis holds an older one or none (after Redis
--         lost data, before writing the whole state again), '0' not to
-- Result  1 the lease is this writer's; 0 another writer holds it or took over since;
--         -1 Redis holds an older epoch or none (it lost data) and ARGV[4] was '0'
local mine = tonumber(ARGV[3])
local epoch = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if epoch > mine then
  return 0
end
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
if epoch < mine then
  if ARGV[4] ~= '1' then
    return -1
  end
  redis.call('SET', KEYS[2], mine)
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
