import { LUA_BASICS, LUA_DROP_COUNTERS, LUA_RANGES, LUA_SLOTS } from './redis-lua-helpers';

/**
 * A reservation record (hash field value) is a JSON array of strings:
 * [user, reward, date, charge, slot, budgetStart, budgetEnd, dailyStart, dailyEnd, expiresAt], where user, reward
 * and date are key-encoded and '' stands for "none".
 */

/**
 * KEYS: state, sfree:<reward>, bfree, dfree:<date>, u:<user>, res, resx
 * ARGV: id, user, reward, date, charge, spends, stock, budgetTotal, budgetDaily, perUserTotal, perUserDaily,
 *       expiresAt, userTtlMs, freeRangeScan ('' = no limit)
 * Returns {'ok', record} (also for an id already reserved) or {'no', reason}. Checks everything, then writes.
 */
export const RESERVE_LUA = `${LUA_BASICS}${LUA_SLOTS}${LUA_RANGES}
local state = KEYS[1]
local existing = redis.call('HGET', KEYS[6], ARGV[1])
if existing then return {'ok', existing} end
if redis.call('EXISTS', state) == 0 then return {'no', 'uninitialized'} end
local dayField = 'd:' .. ARGV[4]
if ARGV[10] ~= '' and num(redis.call('HGET', KEYS[5], 't')) >= tonumber(ARGV[10]) then
  return {'no', 'limit_reached'}
end
if ARGV[11] ~= '' and num(redis.call('HGET', KEYS[5], dayField)) >= tonumber(ARGV[11]) then
  return {'no', 'limit_reached'}
end
local spends = ARGV[6] == '1'
local charge = tonumber(ARGV[5])
local scan = tonumber(ARGV[14])
local slot, total, daily
if spends and ARGV[7] ~= '' then
  slot = planSlot(state, KEYS[2], 's:' .. ARGV[3], tonumber(ARGV[7]))
  if not slot then return {'no', 'out_of_stock'} end
end
if spends and charge > 0 and ARGV[8] ~= '' then
  total = planRange(state, KEYS[3], 'b', charge, tonumber(ARGV[8]), scan)
  if not total then return {'no', 'budget_exhausted'} end
end
if spends and charge > 0 and ARGV[9] ~= '' then
  daily = planRange(state, KEYS[4], dayField, charge, tonumber(ARGV[9]), scan)
  if not daily then return {'no', 'budget_exhausted'} end
end
local record = {ARGV[2], ARGV[3], ARGV[4], fmt(charge), '', '', '', '', '', ARGV[12]}
if slot then record[5] = fmt(takeSlot(state, KEYS[2], 's:' .. ARGV[3], slot)) end
if total then
  local s = takeRange(state, KEYS[3], 'b', 'bf', total, charge)
  record[6], record[7] = fmt(s), fmt(s + charge)
end
if daily then
  local s = takeRange(state, KEYS[4], dayField, 'df:' .. ARGV[4], daily, charge)
  record[8], record[9] = fmt(s), fmt(s + charge)
end
redis.call('HINCRBY', KEYS[5], 't', 1)
redis.call('HINCRBY', KEYS[5], dayField, 1)
redis.call('PEXPIRE', KEYS[5], ARGV[13])
local encoded = cjson.encode(record)
redis.call('HSET', KEYS[6], ARGV[1], encoded)
redis.call('ZADD', KEYS[7], ARGV[12], ARGV[1])
return {'ok', encoded}
`;

/**
 * KEYS: state, res, resx. ARGV: id, base (the campaign's key prefix, for keys named in the record).
 * Returns 1 after giving everything back, 0 when the reservation is unknown (already settled).
 */
export const RELEASE_LUA = `${LUA_BASICS}${LUA_SLOTS}${LUA_RANGES}
local encoded = redis.call('HGET', KEYS[2], ARGV[1])
if not encoded then return 0 end
local r = cjson.decode(encoded)
local base = ARGV[2]
local dayField = 'd:' .. r[3]
if redis.call('EXISTS', KEYS[1]) == 1 then
  if r[5] ~= '' then giveSlot(KEYS[1], base .. 'sfree:' .. r[2], 's:' .. r[2], tonumber(r[5])) end
  if r[6] ~= '' then giveRange(KEYS[1], base .. 'bfree', 'b', 'bf', tonumber(r[6]), tonumber(r[7])) end
  if r[8] ~= '' then
    giveRange(KEYS[1], base .. 'dfree:' .. r[3], dayField, 'df:' .. r[3], tonumber(r[8]), tonumber(r[9]))
  end
end
local user = base .. 'u:' .. r[1]
if num(redis.call('HGET', user, 't')) > 0 then redis.call('HINCRBY', user, 't', -1) end
if num(redis.call('HGET', user, dayField)) > 0 then redis.call('HINCRBY', user, dayField, -1) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
`;

/** KEYS: res, resx. ARGV: id. Forgets the reservation; the counters keep what it took. */
export const CONFIRM_LUA = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: res, resx. Returns {id, record, ...} ordered by expiry. */
export const RESERVATIONS_LUA = `
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local record = redis.call('HGET', KEYS[1], id)
  if record then
    out[#out + 1] = id
    out[#out + 1] = record
  end
end
return out
`;

/**
 * Lua: the availability read. KEYS[k]: state, KEYS[k + i]: sfree:<reward i>; ARGV[a]: date, ARGV[a + i]: reward i.
 * Returns {} when uninitialized, else {'1', budgetTop, budgetFree, dailyTop, dailyFree, used or '' per reward}.
 * Shared by the availability script and the begin script that reads together with the lock.
 */
export const LUA_READ_AVAILABILITY = `
local function readAvailability(k, a)
  local state = KEYS[k]
  if redis.call('EXISTS', state) == 0 then return {} end
  local out = {'1', redis.call('HGET', state, 'b') or '0', redis.call('HGET', state, 'bf') or '0',
    redis.call('HGET', state, 'd:' .. ARGV[a]) or '0', redis.call('HGET', state, 'df:' .. ARGV[a]) or '0'}
  for i = 1, #ARGV - a do
    local top = redis.call('HGET', state, 's:' .. ARGV[a + i])
    if top then out[#out + 1] = fmt(tonumber(top) - redis.call('ZCARD', KEYS[k + i])) else out[#out + 1] = '' end
  end
  return out
end
`;

/** KEYS: state, sfree:<reward> for each reward. ARGV: date, reward for each reward. See LUA_READ_AVAILABILITY. */
export const AVAILABILITY_LUA = `${LUA_BASICS}${LUA_READ_AVAILABILITY}
return readAvailability(1, 1)
`;

/**
 * KEYS: state. ARGV: base. Returns nil when uninitialized, else
 * {{{reward, top, slot...}...}, {budgetTop, "s:e"...}, {{date, top, "s:e"...}...}}.
 */
export const READ_COUNTERS_LUA = `
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return false end
local base = ARGV[1]
local stock, budget, daily = {}, {'0'}, {}
local function collect(item, key)
  for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do item[#item + 1] = m end
  return item
end
for i = 1, #fields, 2 do
  local f, v = fields[i], fields[i + 1]
  local reward = string.match(f, '^s:(.+)$')
  local date = string.match(f, '^d:(.+)$')
  if reward then stock[#stock + 1] = collect({reward, v}, base .. 'sfree:' .. reward)
  elseif f == 'b' then budget = collect({v}, base .. 'bfree')
  elseif date then daily[#daily + 1] = collect({date, v}, base .. 'dfree:' .. date) end
end
return {stock, budget, daily}
`;

/**
 * KEYS: state. ARGV: force ('1'), base, counters as JSON of strings:
 * {stock: [[reward, top, slot...]], budget: [top, freeSum, s, e, ...], daily: [[date, top, freeSum, s, e, ...]]}.
 * Returns 0 when initialized and not forced; otherwise replaces every counter of the campaign and returns 1.
 */
export const INITIALIZE_LUA = `${LUA_DROP_COUNTERS}
local state, base = KEYS[1], ARGV[2]
if redis.call('EXISTS', state) == 1 then
  if ARGV[1] ~= '1' then return 0 end
  dropCounters(state, base)
end
local c = cjson.decode(ARGV[3])
local function zaddAll(key, flat)
  for i = 1, #flat, 1000 do redis.call('ZADD', key, unpack(flat, i, math.min(i + 999, #flat))) end
end
redis.call('HSET', state, 'init', '1')
for _, item in ipairs(c.stock) do
  local key, flat = base .. 'sfree:' .. item[1], {}
  redis.call('DEL', key)
  redis.call('HSET', state, 's:' .. item[1], item[2])
  for i = 3, #item do
    flat[#flat + 1] = item[i]
    flat[#flat + 1] = item[i]
  end
  zaddAll(key, flat)
end
local function writeRanges(key, topField, freeField, item, from)
  local flat = {}
  redis.call('DEL', key)
  redis.call('HSET', state, topField, item[from], freeField, item[from + 1])
  for i = from + 2, #item, 2 do
    flat[#flat + 1] = item[i]
    flat[#flat + 1] = item[i] .. ':' .. item[i + 1]
  end
  zaddAll(key, flat)
end
writeRanges(base .. 'bfree', 'b', 'bf', c.budget, 1)
for _, item in ipairs(c.daily) do writeRanges(base .. 'dfree:' .. item[1], 'd:' .. item[1], 'df:' .. item[1], item, 2) end
return 1
`;

/** KEYS: state. ARGV: base. Forgets the campaign counters (reservations and user counters stay). */
export const INVALIDATE_LUA = `${LUA_DROP_COUNTERS}
dropCounters(KEYS[1], ARGV[1])
return 1
`;
