"""`RedisCoordinator`: one account's limits, 429 pauses and session, shared through Redis
by every client of a namespace, in any process or machine."""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import secrets
from collections import deque
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from .._checks import whole_number
from .._closing import AsyncClosing
from ..errors import InvalidArgumentError
from ..transport.limits import PACE
from ._keys import Keys
from ._link import Link, Unavailable, import_redis
from ._local import LocalLimits
from ._lua import ADMIT, PAUSE, Script
from .session import RedisSession

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisCoordinator"]

logger = logging.getLogger("kashflow_async.coordination")

#: How far ahead of its GCRA schedule a request may go (seconds): absorbs the lateness of
#: a client that waited, without letting any one-second window exceed the rate.
TOLERANCE = 0.01
#: Longest wait before asking again while every in-flight slot is taken (seconds).
SLOT_POLL = 0.01

_admit = Script(ADMIT)
_pause = Script(PAUSE)


def _us(seconds: float) -> int:
    return max(1, round(seconds * 1_000_000))


class RedisCoordinator(AsyncClosing):
    """Limits and session shared by every client with the same Redis and `namespace`.

    `rate_limit`: requests per second for the whole account, paced a little under it
    (GCRA in one Lua script on Redis's clock), so that no one-second window exceeds it.
    `max_in_flight`: requests in flight for the whole account; each is a lease that
    expires after `lease_seconds`, so a killed worker's slots come back. A 429's
    ``Retry-After`` pauses every client of the namespace. With credentials, clients share
    one session token (kept in Redis).

    Redis unreachable: requests go on under per-process limits (the same numbers, per
    process) with one warning, and Redis is tried again at most once a second;
    `strict=True` raises `CoordinationError` instead. Give it to clients as
    ``KashFlowClient(..., coordinator=coord)``; several clients may share one.
    """

    def __init__(
        self,
        url: str,
        *,
        namespace: str,
        rate_limit: float | None = None,
        max_in_flight: int | None = None,
        lease_seconds: float = 60.0,
        strict: bool = False,
    ) -> None:
        import_redis()
        if not isinstance(url, str):
            raise InvalidArgumentError(f"url must be a Redis URL string, not {url!r}")
        _check_positive("rate_limit", rate_limit, allow_none=True)
        if max_in_flight is not None:
            whole_number("max_in_flight", max_in_flight, 1)
        _check_positive("lease_seconds", lease_seconds, allow_none=False)
        self.namespace = namespace
        self.rate_limit = rate_limit
        self.max_in_flight = max_in_flight
        self.lease_seconds = lease_seconds
        self.strict = strict
        self.keys = Keys(namespace)
        self._link = Link(url, strict=strict)
        #: the `SharedSession` clients with credentials use
        self.session = RedisSession(self._link, self.keys)
        self._local = LocalLimits(rate_limit, max_in_flight)
        self._args = (
            _us(1.0 / (rate_limit * PACE)) if rate_limit is not None else 0,
            _us(TOLERANCE),
            max_in_flight or 0,
            _us(lease_seconds),
        )
        self._poll = _us(SLOT_POLL)
        self._lock = asyncio.Lock()
        # leases held in this process, oldest first (None: a local slot); any one serves
        # to release, as every attempt holds exactly one
        self._leases: deque[str | None] = deque()
        self._lease_ids = map(f"{secrets.token_hex(8)}:{{}}".format, itertools.count())
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return (
            f"RedisCoordinator({self._link.where!r}, namespace={self.namespace!r}, "
            f"rate_limit={self.rate_limit!r}, max_in_flight={self.max_in_flight!r})"
        )

    # -- admission (the `Admission` of `Limits`) ------------------------------------------

    async def admit(self) -> None:
        """Wait until the namespace's pause, in-flight slots and rate let one attempt go."""
        await self._local.gate.wait()
        try:
            await self._admit_shared()
            return
        except Unavailable:
            pass
        await self._local.admit()
        if self.max_in_flight is not None:
            self._leases.append(None)

    async def _admit_shared(self) -> None:
        if not self._link.up:
            raise self._link.refusal()
        keys = (self.keys.rate, self.keys.paused, self.keys.leases)
        async with self._lock:  # one caller at a time asks Redis; the rest queue here
            while True:
                lease = next(self._lease_ids) if self.max_in_flight is not None else ""
                args = (*self._args, lease, self._poll)
                wait = int(await self._link.run(_admit, keys, args))
                if wait == 0:
                    if lease:
                        self._leases.append(lease)
                    return
                await asyncio.sleep(wait / 1_000_000)

    def release(self) -> None:
        """The attempt admitted by `admit()` is over: give its in-flight slot back."""
        if not self._leases:
            return
        lease = self._leases.popleft()
        if lease is None:
            self._local.release()
        else:
            self._spawn(self._link.run_quietly(_release, self.keys.leases, lease))

    def pause(self, seconds: float) -> None:
        """Hold every client of the namespace for `seconds` (a shorter pause never cuts a
        longer one short)."""
        self._local.gate.pause(seconds)
        self._spawn(self._link.run_quietly(_pause, (self.keys.paused,), (_us(seconds),)))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- lifecycle ------------------------------------------------------------------------

    async def drain(self) -> None:
        """Wait (2 s at most) for the releases and pauses still being written to Redis."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2.0)

    async def aclose(self) -> None:
        """Finish pending releases and pauses, then close the connection pool."""
        await self.drain()
        await self._link.aclose()

    async def __aenter__(self) -> RedisCoordinator:
        # connect now, so that a wrong URL shows at once (one warning, or strict: raise)
        try:
            await self._link.run(_ping)
        except Unavailable:
            pass
        return self


async def _release(redis: Redis, key: str, lease: str) -> None:
    await redis.zrem(key, lease)


async def _ping(redis: Redis) -> None:
    await redis.ping()


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
