"""The connection to Redis and its health.

When Redis cannot be reached, `Link.run` raises `Unavailable` (or, with ``strict=True``,
`CoordinationError`), logs one warning for the outage, and tries Redis again at most
once a second; the first success after an outage is logged too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ..errors import CoordinationError, InvalidArgumentError

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RECHECK_SECONDS", "Link", "Unavailable", "import_redis"]

T = TypeVar("T")

logger = logging.getLogger("kashflow_async.coordination")

#: After a failure, Redis is not tried again before this many seconds.
RECHECK_SECONDS = 1.0
#: Seconds a connect or a command may take before Redis counts as unreachable.
SOCKET_TIMEOUT = 1.0


class Unavailable(Exception):
    """Internal: Redis cannot be used now; go on under per-process limits."""


def import_redis() -> type[Redis]:
    """redis-py's asyncio client, or an `ImportError` that names the extra to install."""
    try:
        from redis.asyncio import Redis
    except ImportError:
        raise ImportError(
            "kashflow_async.coordination needs redis-py: pip install 'kashflow-async[redis]'"
        ) from None
    return Redis


def describe_url(url: str) -> str:
    """``host:port/db`` of a Redis URL, without any user name or password."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        got = f"one with scheme {parts.scheme!r}" if parts.scheme else "one without a scheme"
        raise InvalidArgumentError(
            "url must be a Redis URL such as redis://127.0.0.1:6379/0 (redis://, rediss:// "
            f"or unix://), not {got}"
        )
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or '/0'}"


class Link:
    """One Redis client (a connection pool) and whether Redis answers."""

    __slots__ = ("_clock", "_down", "_recheck_at", "_redis", "_url", "strict", "where")

    def __init__(
        self, url: str, *, strict: bool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.where = describe_url(url)
        self._url = url
        self.strict = strict
        self._clock = clock
        self._redis: Redis | None = None
        self._down: str | None = None  # why Redis was last unreachable
        self._recheck_at = 0.0

    @property
    def redis(self) -> Redis:
        """The redis-py client (created on first use; no retries of its own)."""
        client = self._redis
        if client is None:
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            client = import_redis().from_url(
                self._url,
                decode_responses=True,
                socket_timeout=SOCKET_TIMEOUT,
                socket_connect_timeout=SOCKET_TIMEOUT,
                retry=Retry(NoBackoff(), 0),
            )
            self._redis = client
        return client

    @property
    def up(self) -> bool:
        """False while Redis is known to be down and not yet due for a re-check."""
        return self._down is None or self._clock() >= self._recheck_at

    async def run(self, op: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await op(redis, *args)``; raises `Unavailable` (`CoordinationError` when strict)
        when Redis cannot be reached."""
        from redis.exceptions import RedisError

        if not self.up:
            raise self.refusal()
        try:
            result = await op(self.redis, *args)
        except (RedisError, OSError, asyncio.TimeoutError) as exc:
            self._failed(exc)
            raise self.refusal() from None
        if self._down is not None:
            self._down = None
            logger.info("Redis at %s answers again: limits are shared again", self.where)
        return result

    async def run_quietly(self, op: Callable[..., Awaitable[object]], *args: Any) -> None:
        """Like `run`, for work that may be lost (releasing a lease, a lock)."""
        try:
            await self.run(op, *args)
        except (Unavailable, CoordinationError):
            pass

    def _failed(self, exc: BaseException) -> None:
        self._recheck_at = self._clock() + RECHECK_SECONDS
        if self._down is None:
            self._down = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if self.strict:
                logger.warning("Redis at %s is unreachable (%s)", self.where, self._down)
            else:
                logger.warning(
                    "Redis at %s is unreachable (%s): going on under per-process limits "
                    "until it answers again",
                    self.where,
                    self._down,
                )

    def refusal(self) -> Exception:
        """What to raise while Redis is down: `Unavailable` (strict: `CoordinationError`)."""
        if self.strict:
            return CoordinationError(
                f"Redis at {self.where} is unreachable ({self._down}); strict=True, so "
                "nothing is sent without it"
            )
        return Unavailable()

    async def aclose(self) -> None:
        """Close the connection pool."""
        client, self._redis = self._redis, None
        if client is not None:
            await client.aclose()
