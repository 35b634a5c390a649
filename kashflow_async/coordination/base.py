"""What a client needs from a coordinator."""

from __future__ import annotations

from typing import Protocol

from ..transport.auth import SharedSession
from ..transport.limits import Admission

__all__ = ["Coordinator"]


class Coordinator(Admission, Protocol):
    """Shared admission (rate, in-flight slots, pauses) and a shared session token."""

    def session_for(
        self, *, username: str, password: str, memorable_word: str, base_url: str
    ) -> SharedSession:
        """The session shared by the clients that log in with these credentials."""
        ...
