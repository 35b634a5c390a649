"""What a rule answers when it refuses a request: an HTTP status, the body's ``Error``
and ``Message``."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BadRequest", "NotFound", "SandboxError", "Unauthorized", "invalid_numbers_message"]


class SandboxError(Exception):
    """A rule refused the request: HTTP `status` with the body's `error` and `message`."""

    status = 500
    error = "InternalServerError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(SandboxError):
    """HTTP 400."""

    status = 400
    error = "BadRequest"


class NotFound(SandboxError):
    """HTTP 404."""

    status = 404
    error = "NotFound"


class Unauthorized(SandboxError):
    """HTTP 401."""

    status = 401

    def __init__(self, message: str, error: str = "InvalidSessionToken") -> None:
        super().__init__(message)
        self.error = error


def invalid_numbers_message(what: str, numbers: Iterable[int]) -> str:
    """``Invalid invoice number(s): 3793, 3438`` (the form `parse_invalid_numbers` reads)."""
    return f"Invalid {what} number(s): " + ", ".join(str(n) for n in numbers)
