"""What an aiohttp failure means for the request that raised it.

The one question that matters is whether the request may have reached the server:

- ``NOT_SENT``: the connection was never established (refused, DNS, connect timeout,
  no free connection in time, TLS handshake). Nothing was sent, so any method may be
  retried, POST included.
- ``MAYBE_SENT``: the connection broke or timed out after the request may have been
  written (server disconnected, reset, read timeout, truncated or unparsable answer).
  The server may have applied it: safe to repeat only for idempotent methods.
- ``FATAL``: retrying cannot help (bad certificate, invalid URL, other client errors).
"""

from __future__ import annotations

import asyncio
import enum

import aiohttp

__all__ = ["Delivery", "classify", "describe"]


class Delivery(enum.Enum):
    """Whether a failed request may have reached the server."""

    NOT_SENT = "not sent"
    MAYBE_SENT = "may have been sent"
    FATAL = "fatal"


# Most specific first: the certificate errors derive from ClientConnectorError.
_FATAL_FIRST: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorCertificateError,
    aiohttp.ServerFingerprintMismatch,
    aiohttp.InvalidURL,
)
_NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,  # refused, DNS failure, TLS handshake
    aiohttp.ConnectionTimeoutError,  # connect timeout or no pooled connection in time
)
_MAYBE_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectionError,  # disconnected, reset, socket read timeout
    aiohttp.ClientResponseError,  # an answer that could not be parsed (bad status line)
    aiohttp.ClientPayloadError,  # the answer was cut short
    asyncio.TimeoutError,  # the per-attempt timeout fired after connecting
    ConnectionError,
)


def classify(exc: BaseException) -> Delivery:
    """Whether the request that raised `exc` may have reached the server."""
    if isinstance(exc, _FATAL_FIRST):
        return Delivery.FATAL
    if isinstance(exc, _NOT_SENT):
        return Delivery.NOT_SENT
    if isinstance(exc, _MAYBE_SENT):
        return Delivery.MAYBE_SENT
    return Delivery.FATAL


def describe(exc: BaseException) -> str:
    """A short description of `exc` for an error message (its class name, plus the
    OS error text when there is one; never the request URL)."""
    name = type(exc).__name__
    if isinstance(exc, asyncio.TimeoutError) and not isinstance(exc, aiohttp.ClientError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{name}: {exc.strerror}"
    if isinstance(exc, aiohttp.ClientResponseError) and exc.message:
        return f"{name}: {' '.join(str(exc.message).split())[:120]}"
    return name
