"""The session token shared through Redis (the `SharedSession` of `SessionAuth`), sealed.

One login serves every client of a namespace that logs in with the *same credentials*.
The token is stored sealed (`Seal`: a key derived from the credentials, base URL and
namespace; AES-GCM), with a TTL of the session's idle lifetime, and removed on logout.
A client whose credentials cannot open the stored token logs in itself and keeps its
token to itself; the namespace is reported once (strict: `CoordinationError`).

A client whose token was refused first clears it from Redis by compare-and-delete (a
newer token is never deleted); then one client takes the login lock (``SET NX PX``),
checks whether another has renewed the token meanwhile, and logs in only if not; the
others wait for the new token. No key ever holds the password or the memorable word.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

from ..errors import CoordinationError
from ._keys import Keys
from ._link import Link, Unavailable
from ._lua import COMPARE_AND_DELETE, Script
from .sealing import Seal, Unsealable

__all__ = ["RedisSession", "SealedSession"]

logger = logging.getLogger("kashflow_async.coordination")

#: How long the login lock holds if its owner dies mid-login (milliseconds): the others
#: wait that long before one of them logs in instead.
LOGIN_LOCK_MS = 10_000
#: How often a client waiting for another's login looks for the new token (seconds).
POLL_SECONDS = 0.05

_compare_and_delete = Script(COMPARE_AND_DELETE)


class RedisSession:
    """A namespace's session key in Redis; `for_login` gives each login its sealed view."""

    __slots__ = ("_keys", "_link", "_reported", "_spawn", "idle_ms")

    def __init__(
        self,
        link: Link,
        keys: Keys,
        *,
        idle_seconds: float,
        spawn: Callable[[Coroutine[Any, Any, object]], None],
    ) -> None:
        self._link = link
        self._keys = keys
        self._spawn = spawn
        self._reported = False
        #: the token key's TTL: the session's idle lifetime (ms)
        self.idle_ms = max(1, round(idle_seconds * 1000))

    def for_login(
        self, *, username: str, password: str, memorable_word: str, base_url: str
    ) -> SealedSession:
        """The shared session of one set of credentials (the key is derived on first use)."""
        return SealedSession(self, (username, password, memorable_word, base_url))

    def foreign(self) -> None:
        """The stored token was sealed by other credentials: say so once (strict: raise)."""
        namespace = self._link.namespace
        if self._link.strict:
            raise CoordinationError(
                f"namespace {namespace!r} holds a session token sealed by other credentials: "
                "give each account (and each login) its own namespace"
            )
        if not self._reported:
            self._reported = True
            logger.warning(
                "namespace %r holds a session token sealed by other credentials: this "
                "client logs in by itself (give each login its own namespace)",
                namespace,
            )


class SealedSession:
    """The `SharedSession` of one login: opens and seals the namespace's token with a key
    only these credentials derive. Redis unreachable: the client logs in on its own
    (strict: `CoordinationError`)."""

    __slots__ = ("_blob", "_credentials", "_deriving", "_seal", "_store", "_token")

    def __init__(self, store: RedisSession, credentials: tuple[str, str, str, str]) -> None:
        self._store = store
        self._credentials = credentials
        self._seal: Seal | None = None
        # the token last read or written, and its sealed form (for compare-and-delete)
        self._token: str | None = None
        self._blob: str | None = None
        # the key is derived at once, in a thread, when a loop runs: ready by first use
        self._deriving: asyncio.Future[Seal] | None = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._deriving = loop.run_in_executor(None, self._derive)
        self._deriving.add_done_callback(_retrieve)

    def _derive(self) -> Seal:
        return _seal_of(*self._credentials, self._store._link.namespace)

    def __repr__(self) -> str:
        return f"SealedSession(namespace={self._store._link.namespace!r}, credentials='***')"

    async def _key(self) -> Seal:
        seal = self._seal
        if seal is None:
            deriving = self._deriving
            # scrypt takes tens of ms: off the event loop
            seal = await (deriving if deriving is not None else asyncio.to_thread(self._derive))
            self._seal = seal
            self._deriving = None
        return seal

    async def renew(self, stale: str | None, login: Callable[[], Awaitable[str]]) -> str:
        """A token other than `stale`: the shared one, or a new login that is then shared."""
        seal = await self._key()
        try:
            return await self._renew(stale, login, seal)
        except Unavailable:
            return await login()

    def discard(self, token: str) -> None:
        """`token` was logged out: remove it from Redis (if it is still the stored one)."""
        if token == self._token and self._blob is not None:
            store = self._store
            self._store._spawn(
                store._link.run_quietly(_compare_and_delete, (store._keys.token,), (self._blob,))
            )
            self._token = self._blob = None

    async def _renew(
        self, stale: str | None, login: Callable[[], Awaitable[str]], seal: Seal
    ) -> str:
        store = self._store
        link, keys = store._link, store._keys
        if stale is not None and stale == self._token and self._blob is not None:
            await link.run(_compare_and_delete, (keys.token,), (self._blob,))
        while True:
            found = await self._shared_token(stale, seal)
            if found is _FOREIGN:
                return await login()  # kept to this client: the key is another login's
            if found is not None:
                return found
            owner = secrets.token_hex(16)
            if await link.run(_take_lock, keys.login_lock, owner):
                try:
                    # another client may have logged in between our look and our lock
                    found = await self._shared_token(stale, seal)
                    if found is _FOREIGN:
                        return await login()
                    if found is not None:
                        return found
                    token = await login()
                    blob = seal.seal(token)
                    if await link.run_quietly(_set, keys.token, blob, store.idle_ms):
                        self._token, self._blob = token, blob
                    return token
                finally:
                    await link.run_quietly(_compare_and_delete, (keys.login_lock,), (owner,))
            await asyncio.sleep(POLL_SECONDS)  # another client is logging in

    async def _shared_token(self, stale: str | None, seal: Seal) -> str | None:
        store = self._store
        blob = await store._link.run(_get, store._keys.token, store.idle_ms)
        if blob is None:
            return None
        try:
            token = seal.open(blob)
        except Unsealable:
            store.foreign()
            return _FOREIGN
        if token == stale:
            return None
        self._token, self._blob = token, blob
        return token


@functools.lru_cache(maxsize=1024)
def _seal_of(username: str, password: str, word: str, base_url: str, namespace: str) -> Seal:
    """The `Seal` of one login in one namespace, derived once per process (clients of the
    same account share it)."""
    return Seal(
        username=username,
        password=password,
        memorable_word=word,
        base_url=base_url,
        namespace=namespace,
    )


def _retrieve(future: asyncio.Future[Seal]) -> None:
    """Mark a derivation's error as seen (it is raised again where the key is awaited)."""
    if not future.cancelled():
        future.exception()


#: `_shared_token`'s answer for a token sealed by other credentials.
_FOREIGN = "\0foreign"


async def _get(redis: Redis, key: str, idle_ms: int) -> str | None:
    """The value of `key`, its idle TTL renewed (GETEX)."""
    value = await redis.getex(key, px=idle_ms)
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


async def _set(redis: Redis, key: str, value: str, idle_ms: int) -> None:
    await redis.set(key, value, px=idle_ms)


async def _take_lock(redis: Redis, key: str, owner: str) -> bool:
    return bool(await redis.set(key, owner, nx=True, px=LOGIN_LOCK_MS))
