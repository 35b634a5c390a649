"""`RedisCoordinator`: one account's limits, 429 pauses and session, shared through Redis
by every client of a namespace, in any process or machine."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from collections import deque
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from .._checks import whole_number
from .._closing import AsyncClosing
from ..errors import InvalidArgumentError
from ..transport.auth import SharedSession
from ..transport.limits import PACE, PauseGate
from ._batch import Batcher
from ._keys import Keys
from ._link import RECHECK_SECONDS, Link, Pool, Unavailable, import_redis
from ._local import LocalLimits
from ._lua import PAUSE, Script
from ._releases import Releases
from .session import RedisSession

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["LEASE_SECONDS", "RedisCoordinator"]

logger = logging.getLogger("kashflow_async.coordination")

#: How far ahead of its GCRA schedule a request may go (seconds): absorbs the lateness of
#: a client that waited, without letting any one-second window exceed the rate.
TOLERANCE = 0.01
#: Default `lease_seconds`: the longest one request lasts with the client's defaults
#: (30 s timeout x 4 attempts + 3 backoffs of at most 8 s), rounded up.
LEASE_SECONDS = 150.0
#: Longest wait before asking again while every in-flight slot is taken (seconds).
SLOT_POLL = 0.01
#: A process counts as live in its namespace this long after its last admit (seconds).
HEARTBEAT_SECONDS = 10.0
#: Default `session_idle_seconds`: KashFlow ends a session after about an hour unused.
SESSION_IDLE_SECONDS = 3600.0
#: After Redis answers again, how much longer than `RECHECK_SECONDS` a process keeps to
#: its degraded share on top of the shared limits (seconds).
TRANSITION_SLACK = 0.5
#: How long `aclose` waits for releases still being written (seconds).
CLOSE_WAIT = 2.0

_pause = Script(PAUSE)


def _us(seconds: float) -> int:
    return max(1, round(seconds * 1_000_000))


class RedisCoordinator(AsyncClosing):
    """Limits and session shared by every client with the same Redis and `namespace`.

    `rate_limit`: requests per second for the whole account, paced a little under it
    (GCRA in one Lua script on Redis's clock), so that no one-second window exceeds it.
    `max_in_flight`: requests in flight for the whole account; each is a lease with a
    client-made id, given back by id on every path, that expires after `lease_seconds`
    (default `LEASE_SECONDS`, the longest a request lasts with the client's defaults; a
    shorter one is warned about), so a killed worker's slots come back. A 429's
    ``Retry-After`` pauses every client of the namespace. Clients with the same
    credentials share one session token, sealed with a key only those credentials derive,
    kept `session_idle_seconds` (default one hour) after its last use, removed on logout.

    Redis unreachable (refused, reset, timed out): requests go on in degraded mode, each
    process at ``rate_limit / N`` and ``max_in_flight / N`` (N: the live processes last
    seen), with one warning; Redis is tried again every 0.25 s. `strict=True`
    raises `CoordinationError` instead. A Redis that answers but refuses (password, ACL,
    database, script) raises `CoordinationError` in both modes.

    Give either `url` (the coordinator opens and closes its own connection pool) or
    `redis=`, an existing ``redis.asyncio.Redis`` whose pool it uses and never closes;
    `Coordination` hands out coordinators for many accounts over one pool. Give it to
    clients as ``KashFlowClient(..., coordinator=coord)``; several clients may share one.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        namespace: str,
        redis: Redis | None = None,
        rate_limit: float | None = None,
        max_in_flight: int | None = None,
        lease_seconds: float | None = None,
        session_idle_seconds: float = SESSION_IDLE_SECONDS,
        strict: bool = False,
        _pool: Pool | None = None,
    ) -> None:
        import_redis()
        sources = (("url", url), ("redis", redis), ("pool", _pool))
        given = [name for name, value in sources if value is not None]
        if len(given) != 1:
            raise InvalidArgumentError(
                "give a Redis URL or redis= (an existing redis.asyncio.Redis), "
                f"exactly one, not {' and '.join(given) or 'neither'}"
            )
        if url is not None and not isinstance(url, str):
            raise InvalidArgumentError(f"url must be a Redis URL string, not {url!r}")
        _check_positive("rate_limit", rate_limit, allow_none=True)
        if max_in_flight is not None:
            whole_number("max_in_flight", max_in_flight, 1)
        _check_positive("lease_seconds", lease_seconds, allow_none=True)
        _check_positive("session_idle_seconds", session_idle_seconds, allow_none=False)
        self.keys = Keys(namespace)
        if lease_seconds is None:
            lease_seconds = LEASE_SECONDS
        elif lease_seconds < LEASE_SECONDS:
            logger.warning(
                "lease_seconds=%s for namespace %r is shorter than one request can last with "
                "the client's defaults (%s s: timeout x attempts + backoff): a slow request's "
                "slot may be handed to another before it ends",
                lease_seconds,
                namespace,
                LEASE_SECONDS,
            )
        self.namespace = namespace
        self.rate_limit = rate_limit
        self.max_in_flight = max_in_flight
        self.lease_seconds = lease_seconds
        self.strict = strict
        self._own_pool = _pool is None
        source: Any = url if url is not None else redis
        pool = _pool if _pool is not None else Pool(source)
        self._link = link = Link(pool, strict=strict, namespace=namespace)
        self._tasks: set[asyncio.Task[object]] = set()
        self._session = RedisSession(
            link, self.keys, idle_seconds=session_idle_seconds, spawn=self._spawn
        )
        #: the local half of a pause: no request of this process asks Redis during it
        self._gate = PauseGate(time.monotonic, asyncio.sleep)
        self._releases = Releases(link, self.keys, _us(lease_seconds))
        #: live processes of the namespace, as last seen in its heartbeats
        self.live = 1
        self._local: LocalLimits | None = None
        #: this coordinator's member in the namespace's heartbeats, and its length (µs)
        self._heartbeat = (secrets.token_hex(8), _us(HEARTBEAT_SECONDS))
        args = (
            _us(1.0 / (rate_limit * PACE)) if rate_limit is not None else 0,
            _us(TOLERANCE),
            max_in_flight or 0,
            _us(lease_seconds),
            _us(SLOT_POLL),
            *self._heartbeat,
        )
        self._batcher = Batcher(
            link,
            self.keys,
            args,
            capped=max_in_flight is not None,
            lease_seconds=lease_seconds,
            releases=self._releases,
            seen_live=self._seen_live,
        )
        # what each admitted attempt holds, oldest first: a lease id, "" (no lease), the
        # degraded limits it took a slot from, or both (just after an outage); any one
        # serves to release, as every attempt holds exactly one
        self._held: deque[str | LocalLimits | tuple[str, LocalLimits]] = deque()

    def __repr__(self) -> str:
        return (
            f"RedisCoordinator({self._link.where!r}, namespace={self.namespace!r}, "
            f"rate_limit={self.rate_limit!r}, max_in_flight={self.max_in_flight!r})"
        )

    # -- the session ----------------------------------------------------------------------

    def session_for(
        self, *, username: str, password: str, memorable_word: str, base_url: str
    ) -> SharedSession:
        """The session shared by every client of the namespace with these credentials."""
        return self._session.for_login(
            username=username, password=password, memorable_word=memorable_word, base_url=base_url
        )

    # -- admission (the `Admission` of `Limits`) ------------------------------------------

    async def admit(self) -> None:
        """Wait until the namespace's pause, in-flight slots and rate let one attempt go."""
        gate = self._gate
        if gate._until:
            await gate.wait()
        while True:
            local = self._local
            if local is not None and local.retired_at and time.monotonic() >= local.retired_at:
                local = self._local = None  # every process is back on the shared limits
            if not self._link.pool.up:
                if self.strict:
                    raise self._link.refusal()
                local = self._degraded()
                # a degraded wait never runs past the next look at Redis
                if await local.admit(RECHECK_SECONDS):
                    self._held.append(local)
                    return
                continue
            if local is None:  # the common case
                try:
                    self._held.append(await self._batcher.admit())
                    return
                except Unavailable:
                    continue
            # Redis is back, but other processes may not know it yet (they look again
            # within RECHECK_SECONDS): until they do, this one keeps to its share as well
            if not await local.admit(RECHECK_SECONDS):
                continue
            try:
                lease = await self._batcher.admit()
            except Unavailable:
                self._held.append(local)
                return
            except BaseException:
                local.release()
                raise
            if not local.retired_at:
                local.retired_at = time.monotonic() + RECHECK_SECONDS + TRANSITION_SLACK
            self._held.append((lease, local))
            return

    def _seen_live(self, live: int) -> None:
        self.live = live

    def _degraded(self) -> LocalLimits:
        """This process's share of the account while Redis is unreachable."""
        local = self._local
        if local is None or local.retired_at:
            local = LocalLimits(self.rate_limit, self.max_in_flight, self.live)
            self._local = local
            if self.rate_limit is not None or self.max_in_flight is not None:
                logger.info(
                    "namespace %r in degraded mode: this process takes 1/%d of the account "
                    "(%d live processes last seen) until Redis answers",
                    self.namespace,
                    local.live,
                    local.live,
                )
        return local

    def release(self) -> None:
        """The attempt admitted by `admit()` is over: give its in-flight slot back."""
        if not self._held:
            return
        held = self._held.popleft()
        if isinstance(held, str):
            if held:
                self._releases.add(held, self.lease_seconds)
        elif isinstance(held, LocalLimits):
            held.release()
        else:
            lease, local = held
            local.release()
            if lease:
                self._releases.add(lease, self.lease_seconds)

    def pause(self, seconds: float) -> None:
        """Hold every client of the namespace for `seconds` (a shorter pause never cuts a
        longer one short)."""
        self._gate.pause(seconds)
        self._spawn(self._link.run_quietly(_pause, (self.keys.paused,), (_us(seconds),)))

    def _spawn(self, work: Coroutine[Any, Any, object]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- lifecycle ------------------------------------------------------------------------

    async def drain(self) -> None:
        """Wait (`CLOSE_WAIT` s at most) for the releases, pauses and logouts still being
        written to Redis; releases not written by then are left to expire."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=CLOSE_WAIT)
        await self._releases.drain(CLOSE_WAIT)

    async def aclose(self) -> None:
        """Finish pending writes, then close the connection pool if this coordinator
        opened it (a given client or a `Coordination`'s pool stays open)."""
        await self.drain()
        if self._link.pool.up:  # no longer a live process of the namespace
            await self._link.run_quietly(_leave, self.keys.heartbeats, self._heartbeat[0])
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._own_pool:
            await self._link.pool.aclose()

    async def __aenter__(self) -> RedisCoordinator:
        # connect now, so that a wrong URL or password shows at once (an outage: one
        # warning, or strict: raise; a misconfiguration: raise in both modes)
        try:
            self._seen_live(await self._link.run(_hello, self.keys.heartbeats, self._heartbeat))
        except Unavailable:
            pass
        return self


async def _leave(redis: Redis, key: str, member: str) -> None:
    await redis.zrem(key, member)


async def _hello(redis: Redis, key: str, heartbeat: tuple[str, int]) -> int:
    """Check that Redis answers and lets us run scripts; register this process's heartbeat
    and count the live ones."""
    member, length_us = heartbeat
    answer = await redis.eval(
        "local t = redis.call('TIME')\n"
        "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
        "redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])), ARGV[1])\n"
        "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))\n"
        "redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) / 1000) + 1000)\n"
        "return redis.call('ZCARD', KEYS[1])",
        1,
        key,
        member,
        length_us,
    )
    return int(answer)


def _check_positive(name: str, value: object, *, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        hint = " or None" if allow_none else ""
        raise InvalidArgumentError(f"{name} must be a positive number{hint}, not {value!r}")
