"""The connection to Redis, whether it answers, and what its errors mean.

A `Pool` is one redis-py client (one connection pool) and the health of that Redis; any
number of coordinators share it through a `Link` each (which adds their ``strict``).

Errors fall in two kinds (`classify`):

- **outage**: the connection failed (refused, reset, timed out, server loading). `Link.run`
  raises `Unavailable` (strict: `CoordinationError`), one warning is logged per outage, and
  Redis is tried again every `RECHECK_SECONDS`; the first success after it is logged too.
- **misconfiguration**: Redis answered, and said no (wrong password, ACL ``NOPERM``, a
  database that does not exist, a script error, a read-only replica). Waiting does not fix
  it, so it raises `CoordinationError` naming the cause, in both modes.
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

__all__ = ["RECHECK_SECONDS", "Link", "Pool", "Unavailable", "classify", "import_redis"]

T = TypeVar("T")

logger = logging.getLogger("kashflow_async.coordination")

#: After a failure, Redis is not tried again before this many seconds (short: every
#: process finds it back soon after it returns, so degraded shares end together).
RECHECK_SECONDS = 0.25
#: Seconds a connect or a command may take before Redis counts as unreachable.
SOCKET_TIMEOUT = 1.0
#: Seconds a command may wait for a free connection of a full pool before Redis counts as
#: unreachable (longer than `SOCKET_TIMEOUT`: many accounts may queue behind one pool).
POOL_WAIT_SECONDS = 5.0
#: Replies that mean "Redis is there but cannot serve now": outages, not misconfiguration.
_TRANSIENT_REPLIES = ("LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "UNBLOCKED")


class Unavailable(Exception):
    """Internal: Redis cannot be used now; go on under degraded per-process limits."""


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


def describe_client(redis: Redis) -> str:
    """``host:port/db`` of a redis-py client's pool (never its password)."""
    kwargs = redis.connection_pool.connection_kwargs
    if "path" in kwargs:
        return str(kwargs["path"])
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def classify(exc: BaseException) -> str | None:
    """``"outage"`` for a connection-level failure, ``"misconfiguration"`` for an answer
    that waiting will not change, None for anything that is not Redis's doing."""
    from redis import exceptions as rx

    if isinstance(exc, (rx.AuthenticationError, rx.AuthorizationError)):
        return "misconfiguration"  # subclasses of ConnectionError, but no outage
    if isinstance(exc, rx.ResponseError):
        text = str(exc)
        if text.startswith(_TRANSIENT_REPLIES):
            return "outage"
        return "misconfiguration"
    if isinstance(exc, (rx.ConnectionError, rx.TimeoutError, OSError, asyncio.TimeoutError)):
        return "outage"
    if isinstance(exc, rx.RedisError):
        return "misconfiguration"
    return None


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Pool:
    """One redis-py client and whether its Redis answers, shared by coordinators.

    Made from a URL (the pool is ours: created on first use, closed by `aclose`) or from a
    `redis.asyncio.Redis` the caller owns (never closed here). `options` go to
    ``redis.asyncio.BlockingConnectionPool.from_url`` (e.g. ``max_connections``, default
    50: past it a command waits for a free connection); socket timeouts default to
    `SOCKET_TIMEOUT`, and a given client without a socket timeout has each command bounded
    by it instead.
    """

    __slots__ = (
        "_bounded",
        "_clock",
        "_down",
        "_options",
        "_probing",
        "_recheck_at",
        "_redis",
        "_url",
        "owned",
        "where",
    )

    def __init__(
        self,
        url_or_redis: str | Redis,
        *,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        self._clock = clock
        self._down: str | None = None  # why Redis was last unreachable
        self._recheck_at = 0.0
        self._probing = False  # a caller is re-checking Redis after an outage
        self._bounded = False
        if isinstance(url_or_redis, str):
            self.where = describe_url(url_or_redis)
            self._url: str | None = url_or_redis
            self._redis: Redis | None = None
            self._options = options
            #: whether `aclose` closes the redis-py client (only one we made)
            self.owned = True
        elif isinstance(url_or_redis, import_redis()):
            if options:
                raise InvalidArgumentError(
                    f"pool options ({', '.join(sorted(options))}) need a URL, not a Redis "
                    "client (that client's own pool is used)"
                )
            self.where = describe_client(url_or_redis)
            self._url = None
            self._redis = url_or_redis
            self._options = {}
            self.owned = False
            kwargs = url_or_redis.connection_pool.connection_kwargs
            self._bounded = kwargs.get("socket_timeout") is None
        else:
            raise InvalidArgumentError(
                f"expected a Redis URL or a redis.asyncio.Redis client, not {url_or_redis!r}"
            )

    @property
    def redis(self) -> Redis:
        """The redis-py client (created on first use; no retries of its own)."""
        client = self._redis
        if client is None:
            from redis.asyncio import BlockingConnectionPool
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            assert self._url is not None
            # blocking: at max_connections, a command waits (up to POOL_WAIT_SECONDS)
            # for a connection to come back instead of failing at once
            options: dict[str, Any] = {
                "socket_timeout": SOCKET_TIMEOUT,
                "socket_connect_timeout": SOCKET_TIMEOUT,
                "timeout": POOL_WAIT_SECONDS,
                "retry": Retry(NoBackoff(), 0),
                "decode_responses": True,
                **self._options,
            }
            pool = BlockingConnectionPool.from_url(self._url, **options)
            client = import_redis().from_pool(pool)
            self._redis = client
        return client

    @property
    def up(self) -> bool:
        """False while Redis is known to be down and not yet due for a re-check, or while
        another caller is re-checking it (the others go on degraded meanwhile)."""
        return self._down is None or (not self._probing and self._clock() >= self._recheck_at)

    def claim(self) -> bool:
        """Whether this caller may use Redis now: always while it answers; during an outage
        only one caller at a time re-checks it, once due."""
        if self._down is None:
            return True
        if self._probing or self._clock() < self._recheck_at:
            return False
        self._probing = True
        return True

    async def call(self, op: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await op(redis, *args)``, bounded in time when the client is not."""
        if self._bounded:
            return await asyncio.wait_for(op(self.redis, *args), SOCKET_TIMEOUT)
        return await op(self.redis, *args)

    def failed(self, exc: BaseException, *, strict: bool) -> None:
        """Count an outage (one warning per outage); Redis is re-tried in a second."""
        self._recheck_at = self._clock() + RECHECK_SECONDS
        self._probing = False
        if self._down is None:
            self._down = _reason(exc)
            tail = "" if strict else ": going on under degraded per-process limits until it answers"
            logger.warning("Redis at %s is unreachable (%s)%s", self.where, self._down, tail)

    def answered(self) -> None:
        """Redis answered: the outage, if any, is over."""
        self._probing = False
        if self._down is not None:
            self._down = None
            logger.info("Redis at %s answers again: limits are shared again", self.where)

    def settled(self) -> None:
        """A call ended without telling whether Redis is back (cancelled, refused): the
        next caller may re-check it."""
        self._probing = False

    @property
    def down_reason(self) -> str | None:
        """Why Redis was last unreachable (None: it answers)."""
        return self._down

    async def aclose(self) -> None:
        """Close the connection pool if it is ours (a given client is left open)."""
        client = self._redis
        if self.owned and client is not None:
            self._redis = None
            await client.aclose()


class Link:
    """One coordinator's use of a `Pool`: its ``strict`` and its namespace's name in errors."""

    __slots__ = ("namespace", "pool", "strict")

    def __init__(self, pool: Pool, *, strict: bool, namespace: str) -> None:
        self.pool = pool
        self.strict = strict
        self.namespace = namespace

    @property
    def where(self) -> str:
        return self.pool.where

    @property
    def up(self) -> bool:
        return self.pool.up

    async def run(self, op: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await op(redis, *args)``; an outage raises `Unavailable` (strict:
        `CoordinationError`), a misconfiguration `CoordinationError` in both modes."""
        pool = self.pool
        if not pool.claim():
            raise self.refusal()
        try:
            result = await pool.call(op, *args)
        except BaseException as exc:
            kind = classify(exc)
            if kind == "outage":
                pool.failed(exc, strict=self.strict)
                raise self.refusal() from None
            pool.settled()
            if kind == "misconfiguration":
                raise self.misconfigured(exc) from None
            raise
        pool.answered()
        return result

    async def run_quietly(self, op: Callable[..., Awaitable[object]], *args: Any) -> bool:
        """Like `run`, for work that may be lost; True when it was done."""
        try:
            await self.run(op, *args)
        except (Unavailable, CoordinationError):
            return False
        return True

    def misconfigured(self, exc: BaseException) -> CoordinationError:
        """The error for a Redis that answers but refuses (not an outage)."""
        return CoordinationError(
            f"Redis at {self.where} refused namespace {self.namespace!r}: {_reason(exc)} "
            "(check the URL's password, ACL permissions, database and the server's version; "
            "this is not an outage, so there is no fallback)"
        )

    def refusal(self) -> Exception:
        """What to raise while Redis is down: `Unavailable` (strict: `CoordinationError`)."""
        if self.strict:
            return CoordinationError(
                f"Redis at {self.where} is unreachable ({self.pool.down_reason}); "
                "strict=True, so nothing is sent without it"
            )
        return Unavailable()
