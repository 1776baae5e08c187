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
-- ARGV[5] n, the number of outbox arguments (0 when no end has a callback)
-- ARGV[6] k, the number of channel arguments (0 when the channels are not known)
-- ARGV[7] 'sent': the entry's messages follow; 'held': the writer kept them back, because the
--         last write found nobody listening: nothing is written if anyone could hear them now
-- ARGV[8..7+n] pairs of outbox field (delivery id) and value (the delivery)
-- ARGV[8+n..7+n+k] the channels the messages go to, a name or a pattern with '*' each
-- ARGV[8+n+k..] pairs of pub/sub channel and message, published once the entry is appended (not
--         again for a 'dup': they went out with the write that appended it); a PUBLISH Redis
--         refuses (an ACL without the channel) is counted, never a reason to fail the append
-- Result  {'ok', <messages refused>, <the last refusal or ''>, <1: nobody listens on the
--         channels, so the next entry may hold its messages back; 0: someone may, or no channels
--         were given; -1: this user may not ask (INFO or PUBSUB not allowed)>} appended; {'heard'} the
--         messages were held but someone listens: nothing was written, send them;
--         {'dup'} this very entry is
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
-- Nobody could hear a message on the channels: no subscriber to a named one, no channel that
-- matches a pattern, no pattern subscriber (it could match any), no replica (its own subscribers
-- hear what this primary publishes). A message nobody can hear need not be sent at all: that is the
-- same as publishing it. nil when Redis does not let this user ask (INFO or PUBSUB not allowed).
local function refused(answer)
  return type(answer) == 'table' and answer.err ~= nil
end
local function quiet(first, last)
  if first > last then
    return false
  end
  local replication = redis.pcall('INFO', 'replication')
  if refused(replication) then
    return nil
  end
  if not string.find(replication, 'connected_slaves:0\r', 1, true) then
    return false
  end
  local subscribed = redis.pcall('PUBSUB', 'NUMPAT')
  if refused(subscribed) then
    return nil
  end
  if subscribed > 0 then
    return false
  end
  local names, patterns = {'NUMSUB'}, {}
  for i = first, last do
    if string.find(ARGV[i], '*', 1, true) then
      patterns[#patterns + 1] = ARGV[i]
    else
      names[#names + 1] = ARGV[i]
    end
  end
  if #names > 1 then
    local counts = redis.pcall('PUBSUB', unpack(names))
    if refused(counts) then
      return nil
    end
    for i = 2, #counts, 2 do
      if counts[i] > 0 then
        return false
      end
    end
  end
  for _, pattern in ipairs(patterns) do
    local open = redis.pcall('PUBSUB', 'CHANNELS', pattern)
    if refused(open) then
      return nil
    end
    if #open > 0 then
      return false
    end
  end
  return true
end
local outbox = 7 + tonumber(ARGV[5])
local channels = outbox + tonumber(ARGV[6])
local silent = quiet(outbox + 1, channels)
if ARGV[7] == 'held' and silent ~= true then
  return {'heard'}
end
local added = redis.pcall('XADD', KEYS[2], ARGV[3], 'e', ARGV[4])
if type(added) == 'table' and added.err then
  return {'behind', top, added.err}
end
redis.call('SET', KEYS[3], ARGV[3])
for i = 8, outbox, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
end
local refusals, why = 0, ''
for i = channels + 1, #ARGV, 2 do
  local sent = redis.pcall('PUBLISH', ARGV[i], ARGV[i + 1])
  if refused(sent) then
    refusals = refusals + 1
    why = sent.err
  end
end
return {'ok', refusals, why, silent == nil and -1 or (silent and 1 or 0)}
