-- Gives the writer lease up if it is still this writer's.
-- KEYS[1] the writer lease
-- ARGV[1] this writer
-- Result  1 released, 0 it was not this writer's
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
