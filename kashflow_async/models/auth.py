"""Session-token bodies (login). Their reprs never show a secret."""

from __future__ import annotations

from ._base import Model

__all__ = ["LoginChallenge", "LoginRequest", "MemorableWordPosition", "SessionToken"]

_HIDDEN = "'***'"


class LoginRequest(Model):
    """``POST /sessiontoken`` body."""

    user_name: str
    password: str

    def __repr__(self) -> str:
        return f"LoginRequest(user_name={self.user_name!r}, password={_HIDDEN})"


class MemorableWordPosition(Model):
    """A 1-based position in the memorable word, and (in the answer) its character."""

    position: int
    value: str | None = None

    def __repr__(self) -> str:
        shown = "None" if self.value is None else _HIDDEN
        return f"MemorableWordPosition(position={self.position}, value={shown})"


class LoginChallenge(Model):
    """``POST /sessiontoken`` answer, and (with the values filled in) the ``PUT`` body."""

    temporary_token: str
    memorable_word_list: list[MemorableWordPosition] = []

    def __repr__(self) -> str:
        positions = self.memorable_word_list
        return f"LoginChallenge(temporary_token={_HIDDEN}, memorable_word_list={positions!r})"


class SessionToken(Model):
    """``PUT /sessiontoken`` answer: the token sent as ``Authorization: KfToken <token>``."""

    session_token: str

    def __repr__(self) -> str:
        return f"SessionToken(session_token={_HIDDEN})"
