import { LUA_READ_AVAILABILITY } from './redis-counter-scripts';
import { LUA_BASICS } from './redis-lua-helpers';

/**
 * KEYS: lock:<user>, idem:<user>:<key>[, state, sfree:<reward>…]. ARGV: token, lockTtlMs, markerTtlMs,
 * requestHash[, date, reward…]. Returns 'done' from the key's marker, 'in_flight' while the same request runs
 * ('mismatch' when the key runs with another body: the marker is `in_flight:<hash>`), 'busy' when another token
 * holds the lock, else takes the lock and marks the key in flight together and returns 'ok'. With the campaign
 * keys, the reply is {result, availability…} (LUA_READ_AVAILABILITY): the reward choice's read in the same trip.
 */
export const BEGIN_LUA = `${LUA_BASICS}${LUA_READ_AVAILABILITY}
local function begin()
  local marker = redis.call('GET', KEYS[2])
  if marker == 'done' then return marker end
  -- A bare marker was set by a version before markers held the hash (a rolling deploy): same request, for all it says.
  if marker == 'in_flight' then return marker end
  if marker then return marker == 'in_flight:' .. ARGV[4] and 'in_flight' or 'mismatch' end
  local holder = redis.call('GET', KEYS[1])
  if holder and holder ~= ARGV[1] then return 'busy' end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('SET', KEYS[2], 'in_flight:' .. ARGV[4], 'PX', ARGV[3])
  return 'ok'
end
local result = begin()
if #KEYS == 2 then return result end
local out = readAvailability(3, 5)
table.insert(out, 1, result)
return out
`;

/**
 * KEYS: lock:<user>, idem:<user>:<key>[, res, resx]. ARGV: token, final ('1'), doneTtlMs[, reservationId].
 * Deletes the lock only if it still holds this token; marks the key done, or clears its in-flight marker; with
 * the reservation keys, also confirms the committed reservation (as CONFIRM_LUA) in the same round trip.
 */
export const END_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if ARGV[2] == '1' then
  redis.call('SET', KEYS[2], 'done', 'PX', ARGV[3])
elseif string.sub(redis.call('GET', KEYS[2]) or '', 1, 9) == 'in_flight' then
  redis.call('DEL', KEYS[2])
end
if #KEYS == 4 then
  redis.call('HDEL', KEYS[3], ARGV[4])
  redis.call('ZREM', KEYS[4], ARGV[4])
end
return 1
`;

/** KEYS: u:<user>. ARGV: ttlMs, total, then date, count pairs. Replaces the user's counters. */
export const PRIME_USER_LUA = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 't', ARGV[2])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], 'd:' .. ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;
