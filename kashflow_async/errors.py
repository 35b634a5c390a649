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
    "ConflictError",
    "CoordinationError",
    "DeadlineExceededError",
    "DecodeError",
    "EncodeError",
    "InvalidArgumentError",
    "KashFlowError",
    "NotFoundError",
    "NotSentError",
    "NumberConflictError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "error_for_status",
    "parse_invalid_numbers",
]


_NO_HEADERS: Mapping[str, str] = CIMultiDictProxy(CIMultiDict())


class KashFlowError(Exception):
    """Base class of every error kashflow-async raises: catch it to catch them all."""


class InvalidArgumentError(KashFlowError, ValueError):
    """An argument refused before anything was sent; the message names it and why.

    Also a `ValueError`. Not worth retrying as it is: fix the call.
    """


class DecodeError(KashFlowError, ValueError):
    """An answer that is not valid JSON/XML, does not fit the expected model, or is too big.

    `type_name` names the target type, `path` the field path (``$.LineItems[0].Rate``)
    or the position in the document, `snippet` a short excerpt of the offending input.
    Also a `ValueError`. The server did answer: a create may have been applied, so look
    it up before sending it again.
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
    """A value that cannot be sent: a float in a money field, a number out of range.

    The message names the field (``$.LineItems[0].Rate``). Raised before anything is
    sent; also a `ValueError`.
    """


class ConflictError(KashFlowError):
    """An ``if_unchanged=True`` update found the server's copy changed since it was read.

    `member` is the path of the first differing member (``CustomerReference``,
    ``LineItems[1].Rate``), `was` its value when the object was read and `now` its value
    on the server (None when absent). Nothing was written.
    """

    def __init__(self, member: str, *, was: Any = None, now: Any = None, url: str = "") -> None:
        self.member = member
        self.was = was
        self.now = now
        self.url = url
        where = f" {url}" if url else ""
        super().__init__(
            f"the server's copy{where} changed since it was read: {member} was {was!r}, "
            f"is now {now!r}; nothing was written (read it again, reapply the change)"
        )


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
    """HTTP 400: the server refused the request, and applied none of it.

    `invalid_numbers` lists the object numbers the server named (empty if none), so a
    bulk payment or conversion can be sent again without them.
    """

    def __init__(self, status: int = 400, **kwargs: Any) -> None:
        super().__init__(status, **kwargs)
        self.invalid_numbers: list[int] = parse_invalid_numbers(self.message)


class AuthenticationError(APIError):
    """HTTP 401 after any re-login attempt: a bad token or bad credentials."""


class NotFoundError(APIError):
    """HTTP 404: no such object (or a base URL that does not lead to the API)."""


class RateLimitError(APIError):
    """HTTP 429 still answered after the retries, or a ``Retry-After`` beyond the cap.

    `retry_after` is the server's wait in seconds (None if it gave none): safe to retry
    after it.
    """

    def __init__(self, status: int = 429, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(status, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """HTTP 5xx still answered after the retries.

    A read, update or delete is safe to retry; a create answered with a 5xx other than
    503 may have been applied: look it up first.
    """


class CoordinationError(KashFlowError):
    """Coordination through Redis failed: Redis unreachable with ``strict=True``, or a
    Redis that refuses (wrong password, ACL, database, script), in both modes.

    Raised before anything is sent; safe to retry once Redis answers (or is fixed).
    """


class TransportError(KashFlowError):
    """A connection failure or timeout, still failing after the retries (see `__cause__`).

    Safe to retry: reads, updates and deletes are idempotent, and a create raises this
    only when it provably never reached the server.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})" if method else message)


class AmbiguousResultError(TransportError):
    """A create that may have been applied, and could not be checked.

    `sent` is what was sent (the model object): look it up (by its number) before
    trying again. The library never re-sends such a request by itself.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "", sent: Any = None):
        super().__init__(message, method=method, url=url)
        self.sent = sent


class DeadlineExceededError(TransportError):
    """The call's deadline (``deadline=``, seconds for the whole call) passed first.

    Raised instead of waiting longer: an attempt cut short, or a retry or a wait for
    admission that would end past it. `deadline` is the limit in seconds, `attempts`
    the attempts made; the message says what the last one got. Safe to retry for an
    idempotent request; a POST that may have been applied raises
    `AmbiguousResultError` instead.
    """

    def __init__(
        self, message: str, *, method: str = "", url: str = "", deadline: float, attempts: int
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.deadline = deadline
        self.attempts = attempts


class NumberConflictError(KashFlowError):
    """An ambiguous create was looked up by its number, and that number holds other content.

    `number` is the number, `field` the first member that differs. Not safe to retry: the
    number belongs to another object.
    """

    def __init__(self, number: int | str, field: str) -> None:
        self.number = number
        self.field = field
        super().__init__(
            f"number {number} already exists with a different {field}: "
            "not the object this input describes"
        )


class NotSentError(KashFlowError):
    """A bulk create that was never applied: interrupted before its POST was sent, or
    proved not applied by a lookup.

    Nothing was created; `sent` is the input, safe to send again.
    """

    def __init__(
        self,
        message: str = "interrupted before the create was sent: nothing was applied",
        *,
        sent: Any = None,
    ) -> None:
        self.sent = sent
        super().__init__(message)


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
