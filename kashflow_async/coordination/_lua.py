"""The Lua scripts run inside Redis, and how they are called (EVALSHA, reloaded after
``NOSCRIPT``). Times are microseconds of Redis's own clock (``TIME``)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["ADMIT", "COMPARE_AND_DELETE", "PAUSE", "RELEASE", "Script"]

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function fmt(us) return string.format('%.0f', us) end
local function ms(us) return math.ceil(us / 1000) end
"""

#: KEYS: rate (TAT), paused-until, leases, tombstones, heartbeats.
#: ARGV: interval, tolerance, max in flight (0: none), lease length, longest wait while
#: the slots are full, process id, heartbeat length, how many slots are asked for, then
#: (with max in flight) one client-made lease id per slot.
#: Answers ``{wait, live, granted...}``: the µs to wait before asking again for the
#: slots not granted (0: none left to wait for), the live processes of the namespace
#: (heartbeats), and the 1-based positions of the slots granted. A lease id with a
#: tombstone was released before this call ran (its caller gave up): it is never taken.
#: GCRA: a request conforms when the theoretical arrival time (TAT) is at most
#: `tolerance` ahead of now; each admission pushes the TAT on by `interval`.
ADMIT = (
    _NOW
    + """
local hb = tonumber(ARGV[7])
redis.call('ZADD', KEYS[5], fmt(now + hb), ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', fmt(now))
redis.call('PEXPIRE', KEYS[5], ms(hb) + 1000)
local live = redis.call('ZCARD', KEYS[5])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {paused - now, live} end
local asked = tonumber(ARGV[8])
local cap = tonumber(ARGV[3])
local ids = {}
if cap > 0 then
  local tombs = redis.call('EXISTS', KEYS[4]) == 1
  if tombs then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', fmt(now)) end
  for i = 1, asked do
    local id = ARGV[8 + i]
    if tombs and redis.call('ZREM', KEYS[4], id) == 1 then
      -- released before it was admitted: nobody waits for it
    else
      ids[#ids + 1] = i
    end
  end
  if #ids == 0 then return {0, live} end
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', fmt(now))
  local free = cap - redis.call('ZCARD', KEYS[3])
  if free <= 0 then
    local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    return {math.max(math.min(tonumber(first[2]) - now, tonumber(ARGV[5])), 1), live}
  end
  while #ids > free do table.remove(ids) end
else
  for i = 1, asked do ids[i] = i end
end
local wait = 0
local interval = tonumber(ARGV[1])
if interval > 0 then
  local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
  local tolerance = tonumber(ARGV[2])
  local conform = math.floor((now + tolerance - tat) / interval) + 1
  if conform <= 0 then return {tat - tolerance - now, live} end
  while #ids > conform do table.remove(ids) end
  tat = tat + #ids * interval
  redis.call('SET', KEYS[1], fmt(tat), 'PX', ms(tat - now) + 1000)
  wait = math.max(tat - tolerance - now, 1)
end
if cap > 0 then
  local expiry = fmt(now + tonumber(ARGV[4]))
  for _, i in ipairs(ids) do redis.call('ZADD', KEYS[3], expiry, ARGV[8 + i]) end
  redis.call('PEXPIRE', KEYS[3], ms(tonumber(ARGV[4])) + 1000)
end
local answer = {wait, live}
for _, i in ipairs(ids) do answer[#answer + 1] = i end
return answer
"""
)

#: KEYS: leases, tombstones. ARGV: tombstone length, lease ids. Each lease is removed; an
#: id not (yet) admitted gets a tombstone instead, so that a late admit cannot take it.
RELEASE = (
    _NOW
    + """
local tomb = tonumber(ARGV[1])
local marked = 0
for i = 2, #ARGV do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 0 then
    redis.call('ZADD', KEYS[2], fmt(now + tomb), ARGV[i])
    marked = marked + 1
  end
end
if marked > 0 then redis.call('PEXPIRE', KEYS[2], ms(tomb) + 1000) end
return marked
"""
)

#: KEYS: paused-until. ARGV: pause length. Never shortens a pause already set.
PAUSE = (
    _NOW
    + """
local untl = now + tonumber(ARGV[1])
if untl > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], fmt(untl), 'PX', ms(tonumber(ARGV[1])) + 1000)
  return 1
end
return 0
"""
)

#: KEYS: a key. ARGV: the value it must hold to be deleted.
COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Script:
    """A Lua script called by its SHA1 (EVALSHA), loaded again when Redis has lost it."""

    __slots__ = ("sha", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, redis: Redis, keys: tuple[str, ...], args: tuple[Any, ...]) -> Any:
        from redis.exceptions import NoScriptError

        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await redis.script_load(self.source)
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
