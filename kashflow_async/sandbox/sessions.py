"""Logging in (user name, password, three characters of the memorable word) and session
tokens that expire after an idle time on the sandbox's clock."""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..models import LoginChallenge, MemorableWordPosition, SessionToken
from .errors import Unauthorized

__all__ = ["Sessions"]


@dataclass
class _Session:
    token: str
    last_used: float


class Sessions:
    """Login with username, password and three characters of the memorable word; session
    tokens that expire after `idle_timeout` seconds without use."""

    def __init__(
        self,
        username: str,
        password: str,
        memorable_word: str,
        *,
        idle_timeout: float = 1200.0,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if len(memorable_word) < 3:
            raise ValueError("the memorable word needs at least 3 characters")
        self.username = username
        self.password = password
        self.memorable_word = memorable_word
        self.idle_timeout = idle_timeout
        self._rng = rng or random.Random()
        self._clock = clock
        self._pending: dict[str, tuple[list[int], float]] = {}
        self._sessions: dict[str, _Session] = {}

    def login(self, username: str, password: str) -> LoginChallenge:
        """Step 1: check the credentials; answer a temporary token and three positions."""
        if username != self.username or password != self.password:
            raise Unauthorized("The username or password is incorrect.", "InvalidCredentials")
        positions = sorted(self._rng.sample(range(1, len(self.memorable_word) + 1), 3))
        temporary = secrets.token_hex(16)
        self._pending[temporary] = (positions, self._clock())
        return LoginChallenge(
            temporary_token=temporary,
            memorable_word_list=[MemorableWordPosition(position=p) for p in positions],
        )

    def verify(self, challenge: LoginChallenge) -> SessionToken:
        """Step 2: check the characters of the memorable word; answer a session token."""
        pending = self._pending.get(challenge.temporary_token)
        if pending is None or self._clock() - pending[1] > self.idle_timeout:
            self._pending.pop(challenge.temporary_token, None)
            raise Unauthorized("The temporary token is unknown or expired.", "InvalidToken")
        positions, _ = pending
        given = {p.position: p.value for p in challenge.memorable_word_list}
        if sorted(given) != positions or any(
            (given[p] or "").lower() != self.memorable_word[p - 1].lower() for p in positions
        ):
            raise Unauthorized(
                "The characters of the memorable word are incorrect.", "InvalidMemorableWord"
            )
        del self._pending[challenge.temporary_token]
        return SessionToken(session_token=self.issue())

    def issue(self) -> str:
        """A new session token (the sandbox hands one out ready-made)."""
        token = secrets.token_hex(20)
        self._sessions[token] = _Session(token, self._clock())
        return token

    def check(self, token: str | None) -> None:
        """Raise `Unauthorized` unless `token` is a live session token; refresh its idle
        time."""
        session = self._sessions.get(token or "")
        now = self._clock()
        if session is None:
            raise Unauthorized("The session token is missing or invalid.")
        if now - session.last_used > self.idle_timeout:
            del self._sessions[session.token]
            raise Unauthorized("The session token has expired.")
        session.last_used = now

    def logout(self, token: str) -> bool:
        """End a session; whether it existed."""
        return self._sessions.pop(token, None) is not None

    def expire(self, token: str | None = None) -> None:
        """Expire one session token, or all of them (for tests of re-login)."""
        if token is None:
            self._sessions.clear()
        else:
            self._sessions.pop(token, None)

    def is_live(self, token: str) -> bool:
        """Whether `token` would currently be accepted (does not refresh it)."""
        session = self._sessions.get(token)
        return session is not None and self._clock() - session.last_used <= self.idle_timeout
