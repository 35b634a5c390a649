"""What a failed attempt means: the error the caller gets, and whether to retry or log in
again.

`transport_failure` maps a connection failure or timeout (by whether the request may
have reached the server); `status_failure` maps an error status. Both return the
exception to raise: a final error, a `Failure` (retryable) or `SessionExpired` (log in
again and replay). Nothing here sends anything.
"""

from __future__ import annotations

import logging
import time

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from ..codecs import Codec
from ..errors import (
    AmbiguousResultError,
    AuthenticationError,
    TransportError,
    error_for_status,
)
from ._aiohttp_errors import Delivery, classify, describe
from ._body import error_fields
from ._call import Call
from .auth import INVALID_SESSION_TOKEN
from .limits import Limits
from .raw import request_id_of
from .retry import Failure, RetryPolicy, parse_retry_after, status_is_retryable

__all__ = ["SessionExpired", "root_hint", "status_failure", "transport_failure"]

logger = logging.getLogger("kashflow_async")

#: The last path segment of every KashFlow API root.
API_VERSION = "v2"


class SessionExpired(Exception):
    """Internal: a 401 ``InvalidSessionToken`` for the token of `generation`."""

    def __init__(self, generation: int, error: AuthenticationError) -> None:
        super().__init__(str(error))
        self.generation = generation
        self.error = error


def root_hint(base_url: str, status: int) -> str | None:
    """A hint for a 404 when the base URL does not end in ``/v2``: the usual cause of a
    404 on every path is an API root given without its version. None otherwise."""
    if status != 404:
        return None
    if URL(base_url).path.rstrip("/").rsplit("/", 1)[-1] == API_VERSION:
        return None
    return f"does the base URL end in /{API_VERSION}? ({base_url})"


def transport_failure(
    call: Call,
    exc: BaseException,
    url: str,
    number: int,
    start: float,
    *,
    timed_out_by: str | None = None,
) -> Exception:
    """The error for attempt `number` of `call`, which raised `exc` before any answer;
    `timed_out_by` names the limit a timeout hit (the message says which)."""
    delivery = classify(exc)
    reason = describe(exc)
    if timed_out_by is not None and reason == "timed out":
        reason = f"timed out: {timed_out_by}"
    error: TransportError
    retryable = False
    if delivery is Delivery.NOT_SENT:
        error = TransportError(f"could not connect ({reason})", method=call.method, url=url)
        retryable = True
    elif delivery is Delivery.MAYBE_SENT and call.idempotent:
        error = TransportError(f"request failed ({reason})", method=call.method, url=url)
        retryable = True
    elif delivery is Delivery.MAYBE_SENT:
        error = AmbiguousResultError(
            f"request may have been applied: {reason} after it was sent; "
            "not repeated (check before sending it again)",
            method=call.method,
            url=url,
            sent=call.sent,
        )
        logger.warning("%s may have been applied (%s); not retried", call.label, reason)
    else:
        error = TransportError(f"request failed ({reason})", method=call.method, url=url)
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = time.perf_counter() - start if start else 0.0
        logger.debug("%s -> %s (attempt %d, %.1f ms)", call.label, reason, number, elapsed * 1000.0)
    # aiohttp's ClientResponseError keeps the request's URL and headers (the token)
    if not call.secret and not isinstance(exc, aiohttp.ClientResponseError):
        error.__cause__ = exc
    return Failure(error) if retryable else error


def status_failure(
    call: Call,
    *,
    status: int,
    data: bytes,
    headers: CIMultiDictProxy[str],
    url: str,
    base_url: str,
    codec: Codec,
    generation: int,
    can_login: bool,
    policy: RetryPolicy,
    limits: Limits,
) -> Exception:
    """The error for an answer with error `status`: final, `Failure` or `SessionExpired`."""
    error_code, message = error_fields(data, headers.get("Content-Type", ""), codec)
    request_id = request_id_of(headers)
    if status == 401 and call.authenticated:
        auth_error = AuthenticationError(
            401,
            error=error_code,
            message=message,
            method=call.method,
            url=url,
            headers=headers,
            request_id=request_id,
        )
        if call.relogin and error_code == INVALID_SESSION_TOKEN and can_login:
            return SessionExpired(generation, auth_error)
        return auth_error
    hint = root_hint(base_url, status)
    if hint is not None:
        message = f"{message}; {hint}" if message else f"Not Found; {hint}"
    retry_after: float | None = None
    if status in (429, 503):
        retry_after = parse_retry_after(headers.get("Retry-After"), policy.wall_clock())
    error = error_for_status(
        status,
        error=error_code,
        message=message,
        method=call.method,
        url=url,
        retry_after=retry_after,
        headers=headers,
        request_id=request_id,
    )
    if not status_is_retryable(status, idempotent=call.idempotent):
        return error
    if retry_after is not None:
        if retry_after > policy.max_retry_after:
            return error
        if status == 429:
            limits.pause(retry_after)
            logger.info("%s -> 429: pausing every request for %.2f s", call.label, retry_after)
    return Failure(error, delay=retry_after)
