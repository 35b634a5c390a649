"""What a client needs from a coordinator."""

from __future__ import annotations

from typing import Protocol

from ..transport.auth import SharedSession
from ..transport.limits import Admission

__all__ = ["Coordinator"]


class Coordinator(Admission, Protocol):
    """Shared admission (rate, in-flight slots, pauses) and a shared session token."""

    @property
    def session(self) -> SharedSession:
        """The token shared by clients that log in with credentials."""
        ...
