"""The Lua scripts run inside Redis, and how they are called (EVALSHA, reloaded after
``NOSCRIPT``). Times are microseconds of Redis's own clock (``TIME``)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["ADMIT", "COMPARE_AND_DELETE", "PAUSE", "Script"]

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function fmt(us) return string.format('%.0f', us) end
local function ms(us) return math.ceil(us / 1000) end
"""

#: KEYS: rate (TAT), paused-until, leases. ARGV: interval, tolerance, max in flight
#: (0: none), lease length, lease id, longest wait while the slots are full.
#: Answers 0 (go: the rate slot and the lease are taken) or the µs to wait before asking
#: again. GCRA: a request conforms when the theoretical arrival time (TAT) is at most
#: `tolerance` ahead of now; each admission pushes the TAT on by `interval`.
ADMIT = (
    _NOW
    + """
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local cap = tonumber(ARGV[3])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', fmt(now))
  if redis.call('ZCARD', KEYS[3]) >= cap then
    local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    local wait = math.min(tonumber(first[2]) - now, tonumber(ARGV[6]))
    return math.max(wait, 1)
  end
end
local interval = tonumber(ARGV[1])
if interval > 0 then
  local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
  local at = tat - tonumber(ARGV[2])
  if at > now then return at - now end
  redis.call('SET', KEYS[1], fmt(tat + interval), 'PX', ms(tat + interval - now) + 1000)
end
if cap > 0 then
  local lease = tonumber(ARGV[4])
  redis.call('ZADD', KEYS[3], fmt(now + lease), ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ms(lease) + 1000)
end
return 0
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
