-- Runs state-changing commands only while the writer's epoch is the current one (the fence), all
-- in one atomic step: a writer that another Baton has replaced changes nothing.
-- KEYS[1]   the epoch key: an integer that grows each time a Baton takes the writer lease
-- ARGV[1]   the writer's epoch
-- ARGV[2..] the commands, each as <number of words> <command> <arguments...>
-- Result    {'ok'} after running them all; {'fenced', <the epoch key's value, '' when absent>}
--           when it holds another epoch, and then nothing ran
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then
  return {'fenced', current or ''}
end
local i = 2
while i <= #ARGV do
  local words = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + words))
  i = i + words + 1
end
return {'ok'}
