"""The exception hierarchy (every error the library raises derives from `KashFlowError`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = [
    "APIError",
    "AmbiguousResultError",
    "AuthenticationError",
    "BadRequestError",
    "CoordinationError",
    "DecodeError",
    "EncodeError",
    "InvalidArgumentError",
    "KashFlowError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "error_for_status",
    "parse_invalid_numbers",
]


_NO_HEADERS: Mapping[str, str] = CIMultiDictProxy(CIMultiDict())


class KashFlowError(Exception):
    """Base class of every error raised by kashflow-async."""


class InvalidArgumentError(KashFlowError, ValueError):
    """An argument was refused before anything was sent."""


class DecodeError(KashFlowError, ValueError):
    """A body that is not valid JSON/XML, or that does not fit the expected model.

    `type_name` names the target type, `path` the field path (``$.LineItems[0].Rate``)
    or the position in the document, `snippet` a short excerpt of the offending input.
    """

    def __init__(
        self,
        reason: str,
        *,
        type_name: str = "",
        path: str | None = None,
        snippet: str | None = None,
        wire_format: str = "",
    ) -> None:
        self.reason = reason
        self.type_name = type_name
        self.path = path
        self.snippet = snippet
        self.wire_format = wire_format
        parts = [f"cannot decode {wire_format + ' ' if wire_format else ''}as {type_name or '?'}"]
        if path:
            parts.append(f"at {path}")
        text = " ".join(parts) + f": {reason}"
        if snippet:
            text += f" (near {snippet!r})"
        super().__init__(text)


class EncodeError(KashFlowError, ValueError):
    """A value that cannot be represented in the chosen wire format."""


class APIError(KashFlowError):
    """The server answered with a non-success HTTP status.

    `headers` are the answer's headers (a case-insensitive mapping; empty when the error
    was made without an answer); `request_id` its ``X-Request-Id`` or ``Request-Id``
    (None if the server sent neither), also shown in the message.
    """

    def __init__(
        self,
        status: int,
        *,
        error: str | None = None,
        message: str | None = None,
        method: str = "",
        url: str = "",
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self.message = message
        self.method = method
        self.url = url
        self.headers: Mapping[str, str] = headers if headers is not None else _NO_HEADERS
        self.request_id = request_id
        detail = message or error or "no message"
        where = f" ({method} {url})" if method else ""
        rid = f" [request id {request_id}]" if request_id else ""
        super().__init__(f"HTTP {status}{where}: {detail}{rid}")


class BadRequestError(APIError):
    """HTTP 400. `invalid_numbers` lists the object numbers the server refused."""

    def __init__(self, status: int = 400, **kwargs: Any) -> None:
        super().__init__(status, **kwargs)
        self.invalid_numbers: list[int] = parse_invalid_numbers(self.message)


class AuthenticationError(APIError):
    """HTTP 401 (after any re-login attempt)."""


class NotFoundError(APIError):
    """HTTP 404."""


class RateLimitError(APIError):
    """HTTP 429 still failing after retries, or a Retry-After beyond the cap."""

    def __init__(self, status: int = 429, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(status, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """HTTP 5xx still failing after retries."""


class CoordinationError(KashFlowError):
    """Coordination through Redis failed: Redis unreachable with ``strict=True``, or a
    Redis that refuses (wrong password, ACL, database, script), in both modes."""


class TransportError(KashFlowError):
    """The request could not be completed: connection failure or timeout (see `__cause__`)."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})" if method else message)


class AmbiguousResultError(TransportError):
    """A non-idempotent request may have been applied, and could not be checked.

    `sent` is what was sent (the model object), so the caller can look it up before
    trying again. The library never re-sends such a request by itself.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "", sent: Any = None):
        super().__init__(message, method=method, url=url)
        self.sent = sent


_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}

_NUMBER_LIST = re.compile(r"[:\-]\s*((?:\d+\s*(?:,|and)?\s*)+)\s*\.?\s*$")
_NUMBER = re.compile(r"\d+")


def parse_invalid_numbers(message: str | None) -> list[int]:
    """The object numbers listed in a 400 message such as ``Invalid quote number(s): 1, 2``.

    Only a message that speaks of invalid numbers is parsed; the numbers are those in the
    list that ends the message (after a colon or dash). Anything else gives ``[]``.
    """
    if not message or "invalid" not in message.lower():
        return []
    match = _NUMBER_LIST.search(message)
    if match is None:
        return []
    return [int(n) for n in _NUMBER.findall(match.group(1))]


def error_for_status(
    status: int,
    *,
    error: str | None = None,
    message: str | None = None,
    method: str = "",
    url: str = "",
    retry_after: float | None = None,
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
) -> APIError:
    """The `APIError` subclass instance for an HTTP status."""
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIError
    kwargs: dict[str, Any] = {
        "error": error,
        "message": message,
        "method": method,
        "url": url,
        "headers": headers,
        "request_id": request_id,
    }
    if cls is RateLimitError:
        kwargs["retry_after"] = retry_after
    return cls(status, **kwargs)
