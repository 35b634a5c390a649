"""`RawResponse`: the HTTP side of a successful call, with its decoding left to `parse()`."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from multidict import CIMultiDictProxy

from ..codecs import Codec
from ._body import decode_answer

__all__ = ["RawResponse", "request_id_of"]

T = TypeVar("T")

_UNPARSED: Any = object()


def request_id_of(headers: CIMultiDictProxy[str]) -> str | None:
    """The answer's ``X-Request-Id`` (or ``Request-Id``), if the server sent one."""
    return headers.get("X-Request-Id") or headers.get("Request-Id")


class RawResponse(Generic[T]):
    """A successful answer as received: what ``with_raw_response`` methods return.

    `parse()` decodes the body into what the plain method returns (once; later calls
    give the same object). Error statuses still raise `APIError`, as for plain calls.
    """

    __slots__ = (
        "_codec",
        "_parsed",
        "_type",
        "attempts",
        "content",
        "elapsed",
        "headers",
        "http_version",
        "method",
        "request_id",
        "status",
        "url",
    )

    def __init__(
        self,
        *,
        status: int,
        headers: CIMultiDictProxy[str],
        content: bytes,
        elapsed: float,
        attempts: int,
        http_version: str,
        method: str,
        url: str,
        codec: Codec,
        response_type: Any,
    ) -> None:
        #: The HTTP status (2xx).
        self.status = status
        #: The answer's headers (a case-insensitive mapping).
        self.headers = headers
        #: The body as received.
        self.content = content
        #: Seconds from sending the successful attempt to having read its body.
        self.elapsed = elapsed
        #: Attempts made for this call (1 when the first succeeded).
        self.attempts = attempts
        #: ``"1.1"``
        self.http_version = http_version
        self.method = method
        #: The URL with its query (secret path segments masked).
        self.url = url
        #: ``X-Request-Id`` (or ``Request-Id``), if the server sent one.
        self.request_id = request_id_of(headers)
        self._codec = codec
        self._type = response_type
        self._parsed: Any = _UNPARSED

    def parse(self) -> T:
        """The decoded body (`DecodeError` if it does not fit)."""
        parsed = self._parsed
        if parsed is _UNPARSED:
            parsed = decode_answer(self._codec, self.content, self._type)
            self._parsed = parsed
        result: T = parsed
        return result

    def __repr__(self) -> str:
        return (
            f"<RawResponse {self.method} {self.url} -> {self.status} "
            f"(request id {self.request_id}, {self.attempts} attempt(s))>"
        )
