"""`Coordination`: one Redis connection pool for any number of accounts.

A service acting for many KashFlow accounts makes one `Coordination` and asks it for a
cheap `RedisCoordinator` per account (``.account(namespace, ...)``). Every coordinator
shares the one pool (and the one view of whether Redis answers, so an outage is reported
once, not once per account); closing an account's coordinator leaves nothing behind but
keys that expire on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._closing import AsyncClosing
from ..errors import InvalidArgumentError
from ._link import Pool, import_redis
from .coordinator import RedisCoordinator

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["Coordination"]


class Coordination(AsyncClosing):
    """One Redis connection pool that hands out a `RedisCoordinator` per account.

    `url_or_redis`: a Redis URL (the pool is made on first use and closed by `aclose`;
    `pool_options` such as ``max_connections=50`` go to
    ``redis.asyncio.BlockingConnectionPool.from_url``),
    or an existing ``redis.asyncio.Redis`` (its pool is used and never closed here).
    Raises `InvalidArgumentError` for anything else, and `ImportError` naming the extra
    when redis-py is not installed.
    """

    def __init__(self, url_or_redis: str | Redis, **pool_options: Any) -> None:
        import_redis()
        self._pool = Pool(url_or_redis, **pool_options)
        self._closed = False

    def __repr__(self) -> str:
        return f"Coordination({self._pool.where!r})"

    @property
    def redis(self) -> Redis:
        """The one redis-py client (and connection pool) every account's coordinator uses."""
        return self._pool.redis

    def account(
        self,
        namespace: str,
        *,
        rate_limit: float | None = None,
        max_in_flight: int | None = None,
        lease_seconds: float | None = None,
        strict: bool = False,
        **options: Any,
    ) -> RedisCoordinator:
        """A coordinator for one account (`namespace`) over this pool; arguments as for
        `RedisCoordinator`. Cheap to make and to drop: ``async with`` it, or `aclose()`
        it, to finish its pending writes (the pool stays open)."""
        if self._closed:
            raise InvalidArgumentError("this Coordination is closed: make a new one")
        return RedisCoordinator(
            namespace=namespace,
            rate_limit=rate_limit,
            max_in_flight=max_in_flight,
            lease_seconds=lease_seconds,
            strict=strict,
            _pool=self._pool,
            **options,
        )

    async def aclose(self) -> None:
        """Close the pool if this object made it (a given Redis client stays open)."""
        self._closed = True
        await self._pool.aclose()

    async def __aenter__(self) -> Coordination:
        return self
