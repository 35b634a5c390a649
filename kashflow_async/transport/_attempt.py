"""One attempt of a call: a slot from the limits, one HTTP round trip, the answer read
(bounded) and turned into a result or an exception.

The innermost layer of the request path (see `transport`): it neither retries nor logs
in again; a retryable failure raises `Failure`, an expired token `SessionExpired`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from .._sending import SENDING
from ._body import PLAIN, decode_answer, read_body
from ._call import Call
from ._deadline import acquire_within, attempt_timeout, shielded_within
from ._failures import status_failure, transport_failure
from .hooks import RequestEvent, ResponseEvent, emit
from .raw import RawResponse, request_id_of
from .retry import Failure

if TYPE_CHECKING:
    from .transport import Transport

__all__ = ["send_once"]

logger = logging.getLogger("kashflow_async")

_TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


async def send_once(t: Transport, call: Call) -> Any:
    """Attempt `call` once through transport `t`: the decoded result (a `RawResponse` on
    a raw view), or raise the attempt's error (`Failure`: retryable; `SessionExpired`:
    the token expired; `DeadlineExceededError`: the call's deadline passed)."""
    number = call.attempts + 1
    shared = t._shared
    token: str | None = None
    generation = 0
    if call.authenticated:
        auth = shared.auth
        token = auth._token  # SessionAuth.token's common case, inlined
        if token is None:
            token, generation = await _token(t, call)
        else:
            generation = auth._generation
    cached = shared.auth_headers  # Shared.headers' common case, inlined
    if cached is not None and cached[0] is token:
        headers = cached[2] if call.data is not None else cached[1]
    else:
        headers = shared.headers(token, call.data is not None)
    session = shared.session or t.session
    hooks = t._hooks
    codec = shared.codec
    timed = hooks is not None or t.raw or logger.isEnabledFor(logging.DEBUG)
    limits = shared.limits
    failure: Exception | None = None
    start = 0.0
    shown: str | None = None  # the URL events show, made once per attempt
    timeout = t._timeout
    cut = False
    if call.deadline_at is not None:  # admitted, or DeadlineExceededError
        timeout, cut = await _admit_by_deadline(t, call, call.deadline_at)
    elif not limits.try_acquire():
        await limits.acquire()
    call.attempts = number
    try:
        if (sending := SENDING.get()) is not None:
            sending()  # create_many: this attempt is written now
        if hooks is not None and hooks.request:
            shown = t._display_url(call)
            event = RequestEvent(call.method, call.route, shown, number)
            if (pending := emit(hooks.request, event)) is not None:
                await pending
        if timed:
            start = time.perf_counter()
        # awaited rather than entered: no context-manager coroutines per request
        resp = await session.request(
            call.method,
            call.url,
            params=call.params,
            data=call.data,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            proxy=shared.proxy,
            proxy_headers=shared.proxy_headers,
        )
        try:
            status = resp.status
            resp_headers = resp.headers
            length = resp.content_length
            if (
                length is not None
                and length <= t.max_response_bytes
                and "Content-Encoding" not in resp_headers
            ):
                data = await resp.read()  # read_body's common case
            else:
                data = await read_body(resp, t.max_response_bytes, codec)
        finally:
            resp.release()
    except _TRANSPORT_ERRORS as exc:
        failure = transport_failure(
            call, exc, t._display_url(call), number, start, timed_out_by=_limit(t, cut)
        )
        if cut and isinstance(exc, asyncio.TimeoutError) and isinstance(failure, Failure):
            failure = t.past_deadline(call, None, cut=True)
            if not call.secret:
                failure.__cause__ = exc
    finally:
        limits.release()
    if failure is not None:
        # Raised here, not in the except block, so that the aiohttp error is never
        # chained implicitly (as __context__): only transport_failure decides.
        raise failure
    call.status = status
    ok = 200 <= status < 300
    if timed:
        elapsed = time.perf_counter() - start
        request_id = request_id_of(resp_headers)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s -> %d (attempt %d, %.1f ms, request id %s)",
                call.label,
                status,
                number,
                elapsed * 1000.0,
                request_id,
            )
        if hooks is not None and hooks.response:
            url = shown if shown is not None else t._display_url(call)
            event = ResponseEvent(call.method, call.route, url, number, status, elapsed, request_id)
            if (pending := emit(hooks.response, event)) is not None:
                await pending
        if t.raw and ok:
            version = resp.version
            return RawResponse(
                status=status,
                headers=resp_headers,
                content=data,
                elapsed=elapsed,
                attempts=number,
                http_version=f"{version.major}.{version.minor}" if version else "",
                method=call.method,
                url=t._display_url(call),
                codec=codec,
                response_type=call.response_type,
            )
    if ok:
        response_type = call.response_type
        if response_type is None:
            return None
        if response_type is not PLAIN:
            return codec.decode(data, response_type)
        return decode_answer(codec, data, response_type)
    raise status_failure(
        call,
        status=status,
        data=data,
        headers=resp_headers,
        url=t._display_url(call),
        base_url=shared.base_url,
        codec=codec,
        generation=generation,
        can_login=shared.auth.can_login,
        policy=t.policy,
        limits=limits,
    )


async def _token(t: Transport, call: Call) -> tuple[str, int]:
    """The token (logging in first), waited for no longer than the call's deadline."""
    auth = t._shared.auth
    if call.deadline_at is None:
        return await auth.token(t)
    done, found = await shielded_within(auth.token(t), call.deadline_at - t.policy.clock())
    if not done or found is None:
        raise t.past_deadline(call, None)
    return found


async def _admit_by_deadline(
    t: Transport, call: Call, deadline_at: float
) -> tuple[aiohttp.ClientTimeout, bool]:
    """Take the limits' admission before `deadline_at` and give the attempt what is left
    of it: ``(timeout, cut)`` (`cut`: the deadline, not the per-attempt timeout, set
    it). Raises `DeadlineExceededError` holding nothing when no time is left."""
    clock = t.policy.clock
    limits = t._shared.limits
    if not limits.try_acquire() and not await acquire_within(limits, deadline_at - clock()):
        raise t.past_deadline(call, None)
    seconds, cut = attempt_timeout(t.timeout, deadline_at - clock())
    if seconds <= 0:
        limits.release()
        raise t.past_deadline(call, None)
    return (aiohttp.ClientTimeout(total=seconds) if cut else t._timeout), cut


def _limit(t: Transport, cut: bool) -> str | None:
    """The limit that a timeout of this attempt hit, for its error message."""
    if cut and t.deadline is not None:
        return f"the call's deadline of {t.deadline:g} s"
    if t.timeout is not None:
        return f"the per-attempt timeout of {t.timeout:g} s"
    return None
