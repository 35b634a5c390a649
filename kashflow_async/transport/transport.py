"""The one request path: every call of the client goes through `Transport.request`.

An attempt takes a slot from `Limits`, sends with the session token and the codec's
media type, reads the answer (bounded), and turns the status into a result or an
exception. A retryable failure of the first attempt hands over to `retry`; a 401
``InvalidSessionToken`` triggers one shared re-login (`auth`) and one replay.
The transport knows nothing of invoices: paths, bodies and result types come from
the resources.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any, TypeVar, overload
from urllib.parse import urlencode

import aiohttp

from .._version import __version__
from ..codecs import Codec
from ..errors import (
    AmbiguousResultError,
    AuthenticationError,
    KashFlowError,
    TransportError,
    error_for_status,
)
from ._aiohttp_errors import Delivery, classify, describe
from ._body import error_fields, read_body
from .auth import INVALID_SESSION_TOKEN, SessionAuth
from .limits import Admission, Limits
from .retry import Failure, RetryPolicy, parse_retry_after, retry_after_failure, status_is_retryable

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "USER_AGENT", "Transport"]

T = TypeVar("T")

USER_AGENT = f"kashflow-async/{__version__}"
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

logger = logging.getLogger("kashflow_async")

_TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


class _SessionExpired(Exception):
    """Internal: a 401 ``InvalidSessionToken`` for the token of `generation`."""

    def __init__(self, generation: int, error: AuthenticationError) -> None:
        super().__init__(str(error))
        self.generation = generation
        self.error = error


class _Call:
    """Everything about one request that stays the same across its attempts."""

    __slots__ = (
        "authenticated",
        "data",
        "display_path",
        "idempotent",
        "label",
        "method",
        "params",
        "path",
        "relogin",
        "response_type",
        "secret",
        "sent",
        "url",
    )

    def __init__(
        self,
        method: str,
        url: str,
        path: str,
        params: Mapping[str, str] | None,
        data: bytes | None,
        sent: Any,
        response_type: Any,
        idempotent: bool,
        authenticated: bool,
        relogin: bool,
        display_path: str | None,
    ) -> None:
        self.method = method
        self.url = url
        self.path = path
        self.params = params
        self.data = data
        self.sent = sent
        self.response_type = response_type
        self.idempotent = idempotent
        self.authenticated = authenticated
        self.relogin = relogin
        self.secret = display_path is not None
        self.display_path = display_path if display_path is not None else path
        self.label = f"{method} {self.display_path}"


class Transport:
    """Sends requests for one client: session, token, limits, retries, status mapping.

    The aiohttp session is created on first use inside the running loop and closed by
    `aclose()`, unless one was given (`session=`), which is then left open.
    """

    def __init__(
        self,
        *,
        base_url: str,
        codec: Codec,
        auth: SessionAuth,
        timeout: float | None,
        max_retries: int,
        max_concurrency: int,
        rate_limit: float | None,
        session: aiohttp.ClientSession | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        retry_policy: RetryPolicy | None = None,
        shared_limits: Admission | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.codec = codec
        self.auth = auth
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes
        self.policy = retry_policy if retry_policy is not None else RetryPolicy()
        self.limits = Limits(
            max_concurrency=max_concurrency,
            rate_limit=rate_limit,
            clock=self.policy.clock,
            sleep=self.policy.sleep,
            shared=shared_limits,
        )
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session
        self._owns_session = session is None
        self._closed = False
        media = codec.media_type
        self._plain_headers = {"Accept": media, "User-Agent": USER_AGENT}
        self._body_headers = {**self._plain_headers, "Content-Type": media}
        self._auth_headers: tuple[str, dict[str, str], dict[str, str]] | None = None

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={self.base_url!r}, wire_format={self.codec.name!r}, "
            f"auth={self.auth!r})"
        )

    # -- session -------------------------------------------------------------------------

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session (created now if needed; call inside the running loop)."""
        session = self._session
        if session is None:
            if self._closed:
                raise RuntimeError("this KashFlowClient is closed")
            connector = aiohttp.TCPConnector(limit=self.limits.max_concurrency)
            session = aiohttp.ClientSession(connector=connector)
            self._session = session
        return session

    @property
    def unclosed(self) -> bool:
        """Whether this transport opened a session that `aclose()` has not closed."""
        return self._owns_session and self._session is not None and not self._session.closed

    async def aclose(self) -> None:
        """Close the session if this transport opened it; later requests raise."""
        session, self._session = self._session, None
        self._closed = True
        if session is not None and self._owns_session:
            await session.close()

    # -- requests ------------------------------------------------------------------------

    @overload
    async def request(
        self,
        method: str,
        path: str,
        response_type: type[T],
        *,
        params: Mapping[str, str] | None = ...,
        body: Any = ...,
        idempotent: bool | None = ...,
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        response_type: None = ...,
        *,
        params: Mapping[str, str] | None = ...,
        body: Any = ...,
        idempotent: bool | None = ...,
    ) -> None: ...

    async def request(
        self,
        method: str,
        path: str,
        response_type: Any = None,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send `method` `path` (below the base URL) and decode the answer as
        `response_type` (None: the body is ignored).

        `body` (a model or list) is encoded with the client's codec before anything is
        sent. `idempotent` defaults to "not POST" and decides what may be retried.
        Raises the SPEC §2 errors: `APIError` subclasses, `TransportError`,
        `AmbiguousResultError`, `DecodeError`, `EncodeError`.
        """
        call = self._call(method, path, response_type, params, body, idempotent)
        try:
            return await self._run(call)
        except _SessionExpired as expired:
            await self.auth.refresh(expired.generation, self)
        try:
            return await self._run(call)
        except _SessionExpired as again:
            raise again.error from None

    async def send_unauthenticated(
        self, method: str, path: str, body: Any, response_type: type[T]
    ) -> T:
        """A request without a token that is safe to repeat (the login steps)."""
        call = self._call(method, path, response_type, None, body, True, authenticated=False)
        result: T = await self._run(call)
        return result

    async def logout(self) -> None:
        """End the session (``DELETE /sessiontoken/{token}``) and forget the token.

        A token the server no longer knows (401 or 404) counts as logged out.
        """
        token = self.auth.current
        if token is None:
            return
        call = self._call(
            "DELETE",
            f"/sessiontoken/{token}",
            None,
            None,
            None,
            True,
            relogin=False,
            display_path="/sessiontoken/***",
        )
        try:
            await self._run(call)
        except KashFlowError as exc:
            if getattr(exc, "status", None) not in (401, 404):
                raise
        self.auth.forget()

    def _call(
        self,
        method: str,
        path: str,
        response_type: Any,
        params: Mapping[str, str] | None,
        body: Any,
        idempotent: bool | None,
        *,
        authenticated: bool = True,
        relogin: bool = True,
        display_path: str | None = None,
    ) -> _Call:
        data = self.codec.encode(body) if body is not None else None
        return _Call(
            method,
            self.base_url + path,
            path,
            params,
            data,
            body,
            response_type,
            method != "POST" if idempotent is None else idempotent,
            authenticated,
            relogin,
            display_path,
        )

    async def _run(self, call: _Call) -> Any:
        try:
            return await self._attempt(call, 1)
        except Failure as first:
            return await retry_after_failure(
                first,
                lambda number: self._attempt(call, number),
                max_retries=self.max_retries,
                policy=self.policy,
                label=call.label,
            )

    def _headers(self, token: str | None, with_body: bool) -> dict[str, str]:
        if token is None:
            return self._body_headers if with_body else self._plain_headers
        cached = self._auth_headers
        if cached is None or cached[0] is not token:
            value = "KfToken " + token
            cached = (
                token,
                {**self._plain_headers, "Authorization": value},
                {**self._body_headers, "Authorization": value},
            )
            self._auth_headers = cached
        return cached[2] if with_body else cached[1]

    async def _attempt(self, call: _Call, number: int) -> Any:
        token: str | None = None
        generation = 0
        if call.authenticated:
            token, generation = await self.auth.token(self)
        headers = self._headers(token, call.data is not None)
        session = self._session or self.session
        content_type = ""
        retry_after: str | None = None
        limits = self.limits
        failure: Exception | None = None
        await limits.acquire()
        start = time.perf_counter()
        try:
            async with session.request(
                call.method,
                call.url,
                params=call.params,
                data=call.data,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            ) as resp:
                status = resp.status
                if not 200 <= status < 300:
                    content_type = resp.headers.get("Content-Type", "")
                    retry_after = resp.headers.get("Retry-After")
                data = await read_body(resp, self.max_response_bytes, self.codec)
        except _TRANSPORT_ERRORS as exc:
            failure = self._transport_failure(call, exc, number, time.perf_counter() - start)
        finally:
            limits.release()
        if failure is not None:
            # Raised here, not in the except block, so that the aiohttp error is never
            # chained implicitly (as __context__): only _transport_failure decides.
            raise failure
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s -> %d (attempt %d, %.1f ms)",
                call.label,
                status,
                number,
                (time.perf_counter() - start) * 1000.0,
            )
        if 200 <= status < 300:
            if call.response_type is None:
                return None
            return self.codec.decode(data, call.response_type)
        raise self._status_failure(call, status, data, content_type, retry_after, generation)

    def _display_url(self, call: _Call) -> str:
        url = self.base_url + call.display_path
        if call.params:
            url += "?" + urlencode(call.params)
        return url

    def _transport_failure(
        self, call: _Call, exc: BaseException, number: int, elapsed: float
    ) -> Exception:
        delivery = classify(exc)
        reason = describe(exc)
        url = self._display_url(call)
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
            logger.debug(
                "%s -> %s (attempt %d, %.1f ms)", call.label, reason, number, elapsed * 1000.0
            )
        # aiohttp's ClientResponseError keeps the request's URL and headers (the token)
        if not call.secret and not isinstance(exc, aiohttp.ClientResponseError):
            error.__cause__ = exc
        return Failure(error) if retryable else error

    def _status_failure(
        self,
        call: _Call,
        status: int,
        data: bytes,
        content_type: str,
        retry_after_header: str | None,
        generation: int,
    ) -> Exception:
        error_code, message = error_fields(data, content_type, self.codec)
        url = self._display_url(call)
        if status == 401 and call.authenticated:
            auth_error = AuthenticationError(
                401, error=error_code, message=message, method=call.method, url=url
            )
            if call.relogin and error_code == INVALID_SESSION_TOKEN and self.auth.can_login:
                return _SessionExpired(generation, auth_error)
            return auth_error
        retry_after: float | None = None
        if status in (429, 503):
            retry_after = parse_retry_after(retry_after_header, self.policy.wall_clock())
        error = error_for_status(
            status,
            error=error_code,
            message=message,
            method=call.method,
            url=url,
            retry_after=retry_after,
        )
        if not status_is_retryable(status, idempotent=call.idempotent):
            return error
        if retry_after is not None:
            if retry_after > self.policy.max_retry_after:
                return error
            if status == 429:
                self.limits.pause(retry_after)
                logger.info("%s -> 429: pausing every request for %.2f s", call.label, retry_after)
        return Failure(error, delay=retry_after)
