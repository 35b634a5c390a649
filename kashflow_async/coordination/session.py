"""The session token shared through Redis (the `SharedSession` of `SessionAuth`).

One login serves every client of a namespace. A client whose token was refused first
clears it from Redis by compare-and-delete (a newer token is never deleted); then one
client takes the login lock (``SET NX PX``), checks whether another has renewed the token
meanwhile, and logs in only if not; the others wait for the new token. Only the token is
stored: never the password or the memorable word.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis.asyncio import Redis

from ._keys import Keys
from ._link import Link, Unavailable
from ._lua import COMPARE_AND_DELETE, Script

__all__ = ["RedisSession"]

#: How long the login lock holds if its owner dies mid-login (milliseconds): the others
#: wait that long before one of them logs in instead.
LOGIN_LOCK_MS = 10_000
#: How often a client waiting for another's login looks for the new token (seconds).
POLL_SECONDS = 0.05

_compare_and_delete = Script(COMPARE_AND_DELETE)


class RedisSession:
    """The token of a namespace, kept in Redis. Redis unreachable: each client logs in
    on its own (``strict``: `CoordinationError`)."""

    __slots__ = ("_keys", "_link")

    def __init__(self, link: Link, keys: Keys) -> None:
        self._link = link
        self._keys = keys

    async def renew(self, stale: str | None, login: Callable[[], Awaitable[str]]) -> str:
        """A token other than `stale`: the shared one, or a new login that is then shared."""
        try:
            return await self._renew(stale, login)
        except Unavailable:
            return await login()

    async def _renew(self, stale: str | None, login: Callable[[], Awaitable[str]]) -> str:
        link, keys = self._link, self._keys
        if stale is not None:
            await link.run(_compare_and_delete, (keys.token,), (stale,))
        while True:
            token = await self._shared_token(stale)
            if token is not None:
                return token
            owner = secrets.token_hex(16)
            if await link.run(_take_lock, keys.login_lock, owner):
                try:
                    # another client may have logged in between our look and our lock
                    token = await self._shared_token(stale)
                    if token is not None:
                        return token
                    token = await login()
                    await link.run_quietly(_set, keys.token, token)
                    return token
                finally:
                    await link.run_quietly(_compare_and_delete, (keys.login_lock,), (owner,))
            await asyncio.sleep(POLL_SECONDS)  # another client is logging in

    async def _shared_token(self, stale: str | None) -> str | None:
        token = await self._link.run(_get, self._keys.token)
        return token if token is not None and token != stale else None


async def _get(redis: Redis, key: str) -> str | None:
    value = await redis.get(key)
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


async def _set(redis: Redis, key: str, value: str) -> None:
    await redis.set(key, value)


async def _take_lock(redis: Redis, key: str, owner: str) -> bool:
    return bool(await redis.set(key, owner, nx=True, px=LOGIN_LOCK_MS))
