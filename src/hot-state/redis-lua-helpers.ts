/**
 * Lua building blocks shared by the hot-state scripts (prepended to the scripts that use them). Numbers are
 * written with %.0f: exact for every integer up to 2^53, never in exponent form.
 */

export const LUA_BASICS = `
local function fmt(n) return string.format('%.0f', n) end
local function num(v) if v then return tonumber(v) end return 0 end
local function parseRange(m)
  local s, e = string.match(m, '^(%d+):(%d+)$')
  return tonumber(s), tonumber(e)
end
`;

/** Stock: a top slot (state field) plus released slots (zset, score = member = slot). */
export const LUA_SLOTS = `
local function planSlot(state, freeKey, topField, stock)
  local lowest = redis.call('ZRANGE', freeKey, 0, 0)
  if #lowest > 0 and tonumber(lowest[1]) <= stock then return {lowest[1], tonumber(lowest[1])} end
  local top = num(redis.call('HGET', state, topField))
  if top < stock then return {false, top + 1} end
  return nil
end
local function takeSlot(state, freeKey, topField, plan)
  if plan[1] then redis.call('ZREM', freeKey, plan[1])
  else redis.call('HSET', state, topField, fmt(plan[2])) end
  return plan[2]
end
local function giveSlot(state, freeKey, topField, slot)
  local top = num(redis.call('HGET', state, topField))
  if slot < 1 or slot > top then return end
  if slot < top then
    redis.call('ZADD', freeKey, fmt(slot), fmt(slot))
    return
  end
  top = top - 1
  while top > 0 and redis.call('ZSCORE', freeKey, fmt(top)) do
    redis.call('ZREM', freeKey, fmt(top))
    top = top - 1
  end
  redis.call('HSET', state, topField, fmt(top))
end
`;

/** Budget: a cumulative top (state field), released ranges (zset "start:end" by start), their sum (state field). */
export const LUA_RANGES = `
local function planRange(state, freeKey, topField, charge, limit, scan)
  for _, m in ipairs(redis.call('ZRANGE', freeKey, 0, scan - 1)) do
    local s, e = parseRange(m)
    if e - s >= charge and s + charge <= limit then return {m, s, e} end
  end
  local top = num(redis.call('HGET', state, topField))
  if top + charge <= limit then return {false, top, top} end
  return nil
end
local function takeRange(state, freeKey, topField, freeField, plan, charge)
  local m, s, e = plan[1], plan[2], plan[3]
  if m then
    redis.call('ZREM', freeKey, m)
    if s + charge < e then redis.call('ZADD', freeKey, fmt(s + charge), fmt(s + charge) .. ':' .. fmt(e)) end
    redis.call('HINCRBY', state, freeField, fmt(-charge))
  else
    redis.call('HSET', state, topField, fmt(s + charge))
  end
  return s
end
local function giveRange(state, freeKey, topField, freeField, s, e)
  local top = num(redis.call('HGET', state, topField))
  if s >= e or e > top then return end
  if e == top then
    top = s
    while true do
      local last = redis.call('ZRANGE', freeKey, -1, -1)
      if #last == 0 then break end
      local ls, le = parseRange(last[1])
      if le ~= top then break end
      redis.call('ZREM', freeKey, last[1])
      redis.call('HINCRBY', state, freeField, fmt(ls - le))
      top = ls
    end
    redis.call('HSET', state, topField, fmt(top))
    return
  end
  redis.call('HINCRBY', state, freeField, fmt(e - s))
  local prev = redis.call('ZREVRANGEBYSCORE', freeKey, '(' .. fmt(s), '-inf', 'LIMIT', 0, 1)
  if #prev > 0 then
    local ps, pe = parseRange(prev[1])
    if pe == s then
      redis.call('ZREM', freeKey, prev[1])
      s = ps
    end
  end
  local following = redis.call('ZRANGEBYSCORE', freeKey, fmt(e), fmt(e), 'LIMIT', 0, 1)
  if #following > 0 then
    local _, ne = parseRange(following[1])
    redis.call('ZREM', freeKey, following[1])
    e = ne
  end
  redis.call('ZADD', freeKey, fmt(s), fmt(s) .. ':' .. fmt(e))
end
`;

/** Deletes a campaign's counters (state hash and free sets named in it); reservations and users stay. */
export const LUA_DROP_COUNTERS = `
local function dropCounters(state, base)
  for _, f in ipairs(redis.call('HKEYS', state)) do
    local reward = string.match(f, '^s:(.+)$')
    local date = string.match(f, '^d:(.+)$')
    if reward then redis.call('DEL', base .. 'sfree:' .. reward)
    elseif date then redis.call('DEL', base .. 'dfree:' .. date) end
  end
  redis.call('DEL', state, base .. 'bfree')
end
`;
