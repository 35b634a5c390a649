"""Session tokens: a given token, or the SPEC §4 login with credentials.

One token is shared by every request of a client. A 401 ``InvalidSessionToken`` seen by
any number of requests leads to a single new login: each request reports the token
*generation* it used, and only the first report for the current generation logs in
again (under a lock); the others wait for it and replay with the new token.

A `SharedSession` (e.g. from `kashflow_async.coordination`) extends this across
processes: the token is taken from it, and a login goes through it, so that one login
serves every client that shares it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from ..errors import AuthenticationError, DecodeError, InvalidArgumentError, KashFlowError
from ..models import LoginChallenge, LoginRequest, MemorableWordPosition, SessionToken

__all__ = ["SessionAuth", "SharedSession"]

T = TypeVar("T")

logger = logging.getLogger("kashflow_async")

#: The ``Error`` of a 401 that means "the token expired: log in again".
INVALID_SESSION_TOKEN = "InvalidSessionToken"


class LoginSender(Protocol):
    """What the login flow needs from the transport: an unauthenticated request that is
    safe to repeat."""

    async def send_unauthenticated(
        self, method: str, path: str, body: Any, response_type: type[T]
    ) -> T: ...


class SharedSession(Protocol):
    """A session token shared beyond this client."""

    async def renew(self, stale: str | None, login: Callable[[], Awaitable[str]]) -> str:
        """A token other than `stale` (None: any token): the shared one if there is one,
        else the one `login()` returns, which is then shared."""
        ...

    def discard(self, token: str) -> None:
        """`token` was logged out: it is shared no more."""
        ...


class SessionAuth:
    """The client's session token and how to get a new one.

    Give `token`, or `username` + `password` + `memorable_word`, or both (the token is
    used first, the credentials when it expires). Secrets never appear in `repr`.
    """

    __slots__ = (
        "_failed",
        "_failures",
        "_forgotten",
        "_generation",
        "_lock",
        "_memorable_word",
        "_password",
        "_shared",
        "_token",
        "username",
    )

    def __init__(
        self,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        memorable_word: str | None = None,
        shared: SharedSession | None = None,
    ) -> None:
        credentials = {"username": username, "password": password, "memorable_word": memorable_word}
        given = [name for name, value in credentials.items() if value is not None]
        if given and len(given) != len(credentials):
            missing = ", ".join(name for name in credentials if name not in given)
            raise InvalidArgumentError(
                f"credentials need username, password and memorable_word; missing: {missing}"
            )
        for name, value in (("token", token), *credentials.items()):
            if value is not None and (not isinstance(value, str) or not value):
                raise InvalidArgumentError(f"{name} must be a non-empty string")
        if token is None and not given:
            raise InvalidArgumentError(
                "give token=, or username=, password= and memorable_word= to log in with"
            )
        self._token = token
        self.username = username
        self._password = password
        self._memorable_word = memorable_word
        self._generation = 0
        self._lock = asyncio.Lock()
        self._failed: KashFlowError | None = None
        self._failures = 0
        #: only with credentials: a client given a token alone shares nothing of its session
        self._shared = shared if given else None
        #: the token dropped by logout, never to be taken back from a shared session
        self._forgotten: str | None = None

    def __repr__(self) -> str:
        if self._password is not None:
            return f"SessionAuth(username={self.username!r}, password='***', memorable_word='***')"
        return "SessionAuth(token='***')"

    @property
    def can_login(self) -> bool:
        """Whether credentials were given (so an expired token can be replaced)."""
        return self._password is not None

    @property
    def generation(self) -> int:
        """How many tokens this client has obtained by logging in."""
        return self._generation

    async def token(self, sender: LoginSender) -> tuple[str, int]:
        """The current token and its generation; logs in first if there is none yet."""
        token = self._token
        if token is not None:
            return token, self._generation
        arrived = self._failures
        async with self._lock:
            if self._token is None:
                await self._login_once(arrived, sender)
            assert self._token is not None
            return self._token, self._generation

    async def refresh(self, seen_generation: int, sender: LoginSender) -> None:
        """Replace the token a request saw rejected (generation `seen_generation`).

        However many requests call this for the same generation, one login is made; the
        rest return once it is done. If it fails, the requests that were waiting for it
        get its error; a later request tries again.
        """
        arrived = self._failures
        async with self._lock:
            if self._generation != seen_generation:
                return  # somebody else already replaced that token
            logger.info("session token expired; logging in again")
            await self._login_once(arrived, sender)

    async def _login_once(self, arrived: int, sender: LoginSender) -> None:
        """Log in (the lock is held), unless a login failed while this caller waited."""
        failed = self._failed
        if failed is not None and self._failures > arrived:
            raise failed
        stale = self._token if self._token is not None else self._forgotten
        try:
            if self._shared is None:
                token = await self._login(sender)
            else:
                token = await self._shared.renew(stale, lambda: self._login(sender))
        except KashFlowError as exc:
            self._failures += 1
            self._failed = exc
            raise
        self._token = token
        self._generation += 1

    def forget(self) -> str | None:
        """Drop the current token (after logout); returns it for the logout request."""
        token, self._token = self._token, None
        self._forgotten = token
        self._generation += 1
        if token is not None and self._shared is not None:
            self._shared.discard(token)
        return token

    @property
    def current(self) -> str | None:
        """The current token, if any (never logged)."""
        return self._token

    async def _login(self, sender: LoginSender) -> str:
        if not self.can_login:
            raise AuthenticationError(
                401,
                error="NoSessionToken",
                message="no session token (logged out) and no credentials to log in with",
            )
        assert self.username is not None
        assert self._password is not None
        word = self._memorable_word or ""
        try:
            challenge = await sender.send_unauthenticated(
                "POST",
                "/sessiontoken",
                LoginRequest(user_name=self.username, password=self._password),
                LoginChallenge,
            )
            answers = []
            for item in challenge.memorable_word_list:
                if not 1 <= item.position <= len(word):
                    raise InvalidArgumentError(
                        f"memorable_word is too short: the server asked for character "
                        f"{item.position} of it"
                    )
                answers.append(
                    MemorableWordPosition(position=item.position, value=word[item.position - 1])
                )
            answer = LoginChallenge(
                temporary_token=challenge.temporary_token, memorable_word_list=answers
            )
            session = await sender.send_unauthenticated(
                "PUT", "/sessiontoken", answer, SessionToken
            )
        except DecodeError as exc:
            # The body may hold a token: keep only the reason, never the snippet.
            raise DecodeError(
                exc.reason, type_name=exc.type_name, path=exc.path, wire_format=exc.wire_format
            ) from None
        logger.info("logged in as %s", self.username)
        return session.session_token
