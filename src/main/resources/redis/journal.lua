-- Appends one journal entry: fenced, and only on top of the entry this writer appended last, so a
-- Redis that lost entries (restarted with a cut append-only file) or holds an entry this writer
-- did not append is noticed instead of being written over. With the entry, the webhook deliveries
-- its task ends ask for go into the outbox hash, so a durable end always has its delivery, and its
-- events' pub/sub notifications are published: a subscriber hears of a change once it is durable,
-- and the notifications cost no call of their own.
-- KEYS[1] the epoch key; KEYS[2] the journal stream; KEYS[3] the journal's top: the id appended last;
-- KEYS[4] the webhook outbox hash
-- ARGV[1] the writer's epoch
-- ARGV[2] the id this writer appended last ('' when none since the journal was last written whole)
-- ARGV[3] the new entry's id (<last seq>-0)
-- ARGV[4] the new entry (field e)
-- ARGV[5] n, the number of outbox arguments that follow (0 when no end has a callback)
-- ARGV[6..5+n] pairs of outbox field (delivery id) and value (the delivery)
-- ARGV[6+n..] pairs of pub/sub channel and message, published once the entry is appended (not
--         again for a 'dup': they went out with the write that appended it); a PUBLISH Redis
--         refuses (an ACL without the channel) is counted, never a reason to fail the append
-- Result  {'ok', <messages refused>, <the last refusal or ''>} appended; {'dup'} this very entry is
--         already there (a retried write that had been applied); {'fenced', <epoch key's value or ''>} another epoch; {'behind', <top>, <why>}
--         the journal is not where this writer left it: nothing was written
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then
  return {'fenced', current or ''}
end
local top = redis.call('GET', KEYS[3]) or ''
if top == ARGV[3] then
  local same = redis.call('XRANGE', KEYS[2], ARGV[3], ARGV[3])
  if #same == 1 and same[1][2][2] == ARGV[4] then
    return {'dup'}
  end
  return {'behind', top, 'the entry ' .. ARGV[3] .. ' holds other events'}
end
if top ~= ARGV[2] then
  return {'behind', top, 'the top is ' .. (top == '' and 'missing' or top) .. ', this writer appended ' .. (ARGV[2] == '' and 'none' or ARGV[2])}
end
local added = redis.pcall('XADD', KEYS[2], ARGV[3], 'e', ARGV[4])
if type(added) == 'table' and added.err then
  return {'behind', top, added.err}
end
redis.call('SET', KEYS[3], ARGV[3])
local outbox = 5 + tonumber(ARGV[5])
for i = 6, outbox, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
end
local refused, why = 0, ''
for i = outbox + 1, #ARGV, 2 do
  local sent = redis.pcall('PUBLISH', ARGV[i], ARGV[i + 1])
  if type(sent) == 'table' and sent.err then
    refused = refused + 1
    why = sent.err
  end
end
return {'ok', refused, why}
