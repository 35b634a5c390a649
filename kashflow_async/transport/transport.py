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
import copy
import logging
import sys
import time
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, overload
from urllib.parse import urlencode

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .._sending import SENDING
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
from .hooks import EventHooks, Hooks, RequestEvent, ResponseEvent, RetryEvent, emit
from .limits import Admission, Limits
from .raw import RawResponse, request_id_of
from .retry import Failure, RetryPolicy, parse_retry_after, retry_after_failure, status_is_retryable
from .tracing import OTEL_TRACE, Tracing, end_span, start_span

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "USER_AGENT", "CallOptions", "Transport"]

T = TypeVar("T")

USER_AGENT = f"kashflow-async/{__version__}"
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: Paths whose parsed URL a client keeps (object numbers make paths many; the first
#: ones seen are kept, the rest parsed per request).
URL_CACHE_SIZE = 4096

logger = logging.getLogger("kashflow_async")

_TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


class _SessionExpired(Exception):
    """Internal: a 401 ``InvalidSessionToken`` for the token of `generation`."""

    def __init__(self, generation: int, error: AuthenticationError) -> None:
        super().__init__(str(error))
        self.generation = generation
        self.error = error


class _Call:
    """Everything about one call that stays the same across its attempts, and the count
    of its attempts (replays after a re-login count on)."""

    __slots__ = (
        "attempts",
        "authenticated",
        "data",
        "idempotent",
        "method",
        "params",
        "path",
        "relogin",
        "response_type",
        "secret_path",
        "sent",
        "status",
        "template",
        "url",
    )

    def __init__(
        self,
        shared: _Shared,
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
        route: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.params = params
        # encoded once, before anything is sent (EncodeError here)
        self.data = shared.codec.encode(body) if body is not None else None
        self.sent = body
        if display_path is None:
            url = shared.urls.get(path)
            self.url = url if url is not None else shared.url(path)
        else:  # a path with a secret is never cached
            self.url = URL(shared.base_url + path)
        self.response_type = response_type
        self.idempotent = method != "POST" if idempotent is None else idempotent
        self.authenticated = authenticated
        self.relogin = relogin
        #: what to show instead of `path` when it holds a secret (None: `path`)
        self.secret_path = display_path
        self.template = route
        self.attempts = 0
        self.status: int | None = None

    @property
    def secret(self) -> bool:
        """Whether the path holds a secret (the logout path holds the token)."""
        return self.secret_path is not None

    @property
    def display_path(self) -> str:
        """The path as logs, errors and events may show it."""
        return self.path if self.secret_path is None else self.secret_path

    @property
    def route(self) -> str:
        """The path template (``/invoices/{number}``)."""
        return self.template if self.template is not None else self.display_path

    @property
    def label(self) -> str:
        """``GET /invoices/2``, for logs."""
        return f"{self.method} {self.display_path}"


class _Shared:
    """What a client and all its views share: the session, token, limits and codec."""

    __slots__ = (
        "auth",
        "auth_headers",
        "base_url",
        "body_headers",
        "closed",
        "codec",
        "host",
        "limits",
        "owns_session",
        "plain_headers",
        "port",
        "session",
        "session_headers",
        "tracing",
        "urls",
    )

    def __init__(
        self,
        base_url: str,
        codec: Codec,
        auth: SessionAuth,
        limits: Limits,
        session: aiohttp.ClientSession | None,
        tracing: Tracing,
    ) -> None:
        self.base_url = base_url
        self.codec = codec
        self.auth = auth
        self.limits = limits
        self.session = session
        self.owns_session = session is None
        self.closed = False
        self.tracing = tracing
        parsed = URL(base_url)
        self.host = parsed.host
        self.port = parsed.port
        #: the URL of every path seen (up to `URL_CACHE_SIZE`): parsed once
        self.urls: dict[str, URL] = {}
        media = codec.media_type
        #: the session's default headers when this client opens it; per request otherwise
        self.session_headers = {"Accept": media, "User-Agent": USER_AGENT}
        plain = {} if self.owns_session else self.session_headers
        self.plain_headers = CIMultiDict(plain)
        self.body_headers = CIMultiDict({**plain, "Content-Type": media})
        self.auth_headers: tuple[str, CIMultiDict[str], CIMultiDict[str]] | None = None

    def url(self, path: str) -> URL:
        """The URL of `path` below the base URL, parsed once per path."""
        url = self.urls.get(path)
        if url is None:
            url = URL(self.base_url + path)
            if len(self.urls) < URL_CACHE_SIZE:
                self.urls[path] = url
        return url


class CallOptions(TypedDict, total=False):
    """What may differ per call (`Transport.with_options`, `KashFlowClient.with_options`)."""

    #: seconds per attempt (None: no limit)
    timeout: float | None
    max_retries: int
    retry_policy: RetryPolicy
    #: replaces the client's hooks (``{}`` or None: none)
    event_hooks: EventHooks | None
    max_response_bytes: int


class Transport:
    """Sends requests for one client: session, token, limits, retries, status mapping.

    The aiohttp session is created on first use inside the running loop and closed by
    `aclose()`, unless one was given (`session=`), which is then left open.
    `with_options()` and `raw_view()` give views that share the session, token and
    limits and differ only in their per-call options.
    """

    __slots__ = (
        "_hooks",
        "_owner",
        "_raw_view",
        "_shared",
        "_timeout",
        "max_response_bytes",
        "max_retries",
        "policy",
        "raw",
    )

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
        event_hooks: EventHooks | None = None,
        tracer_provider: Any = None,
        shared_limits: Admission | None = None,
    ) -> None:
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes
        self.policy = retry_policy if retry_policy is not None else RetryPolicy()
        limits = Limits(
            max_concurrency=max_concurrency,
            rate_limit=rate_limit,
            clock=self.policy.clock,
            sleep=self.policy.sleep,
            shared=shared_limits,
        )
        self._shared = _Shared(
            base_url.rstrip("/"), codec, auth, limits, session, Tracing(tracer_provider)
        )
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._hooks = Hooks.of(event_hooks)
        self._owner = True
        self.raw = False
        self._raw_view: Transport | None = None

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={self.base_url!r}, wire_format={self.codec.name!r}, "
            f"auth={self.auth!r})"
        )

    # -- shared state ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root every path is joined to (no trailing slash)."""
        return self._shared.base_url

    @property
    def codec(self) -> Codec:
        """The wire format's codec."""
        return self._shared.codec

    @property
    def auth(self) -> SessionAuth:
        """The session token (shared by every view)."""
        return self._shared.auth

    @property
    def limits(self) -> Limits:
        """Concurrency, rate and pause gate (shared by every view)."""
        return self._shared.limits

    @property
    def timeout(self) -> float | None:
        """Seconds per attempt (None: no limit)."""
        return self._timeout.total

    # -- views -----------------------------------------------------------------------------

    def with_options(self, **options: Unpack[CallOptions]) -> Transport:
        """A view with these options changed, sharing everything else (never closes it)."""
        view = copy.copy(self)
        view._owner = False
        view._raw_view = None
        if "timeout" in options:
            view._timeout = aiohttp.ClientTimeout(total=options["timeout"])
        if "max_retries" in options:
            view.max_retries = options["max_retries"]
        if "retry_policy" in options:
            view.policy = options["retry_policy"]
        if "event_hooks" in options:
            view._hooks = Hooks.of(options["event_hooks"])
        if "max_response_bytes" in options:
            view.max_response_bytes = options["max_response_bytes"]
        return view

    def raw_view(self) -> Transport:
        """This transport returning `RawResponse` objects instead of decoded results."""
        view = self._raw_view
        if view is None:
            view = self.with_options()
            view.raw = True
            self._raw_view = view
        return view

    # -- session -------------------------------------------------------------------------

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session (created now if needed; call inside the running loop)."""
        shared = self._shared
        session = shared.session
        if session is None:
            if shared.closed:
                raise RuntimeError("this KashFlowClient is closed")
            connector = aiohttp.TCPConnector(limit=shared.limits.max_concurrency)
            session = aiohttp.ClientSession(connector=connector, headers=shared.session_headers)
            shared.session = session
        return session

    @property
    def _session(self) -> aiohttp.ClientSession | None:
        return self._shared.session

    @property
    def unclosed(self) -> bool:
        """Whether this transport opened a session that `aclose()` has not closed."""
        shared = self._shared
        return (
            self._owner
            and shared.owns_session
            and shared.session is not None
            and not shared.session.closed
        )

    async def aclose(self) -> None:
        """Close the session if this transport opened it; later requests raise.

        A view (`with_options`) closes nothing: its parent owns the session.
        """
        if not self._owner:
            return
        shared = self._shared
        session, shared.session = shared.session, None
        shared.closed = True
        if session is not None and shared.owns_session:
            await session.close()

    # -- requests ------------------------------------------------------------------------

    @overload
    def request(
        self,
        method: str,
        path: str,
        response_type: type[T],
        *,
        params: Mapping[str, str] | None = ...,
        body: Any = ...,
        idempotent: bool | None = ...,
        route: str | None = ...,
    ) -> Coroutine[Any, Any, T]: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        response_type: None = ...,
        *,
        params: Mapping[str, str] | None = ...,
        body: Any = ...,
        idempotent: bool | None = ...,
        route: str | None = ...,
    ) -> Coroutine[Any, Any, None]: ...

    def request(
        self,
        method: str,
        path: str,
        response_type: Any = None,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        route: str | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """Send `method` `path` (below the base URL) and decode the answer as
        `response_type` (None: the body is ignored). On a raw view, return the
        `RawResponse` instead (decoded by its `parse()`).

        Returns the call's coroutine (await it): a plain method, so that the success
        path runs in one coroutine, `_attempt`. The body is encoded at once.

        `route` is the path's template as the documentation writes it
        (``/invoices/{number}``), for hooks, logs and spans (default: `path`). `body` (a
        model or list) is encoded with the client's codec before anything is sent.
        `idempotent` defaults to "not POST" and decides what may be retried.
        Raises the errors of `kashflow_async.errors`: `APIError` subclasses, `TransportError`,
        `AmbiguousResultError`, `DecodeError`, `EncodeError`.
        """
        call = _Call(
            self._shared, method, path, response_type, params, body, idempotent, route=route
        )
        tracing = self._shared.tracing
        # Tracing.tracer's first test, inlined: no OpenTelemetry loaded, no provider given
        if tracing.provider is not None or OTEL_TRACE in sys.modules:
            tracer = tracing.tracer()
            if tracer is not None:
                return self._traced(tracer, call)
        return self._attempt(call, recover=True)

    async def _dispatch(self, call: _Call) -> Any:
        tracer = self._shared.tracing.tracer()
        if tracer is None:
            return await self._attempt(call, recover=True)
        return await self._traced(tracer, call)

    async def _recover(self, call: _Call, first: Failure | _SessionExpired) -> Any:
        """The rest of a call whose first attempt failed with `first`."""
        try:
            if isinstance(first, Failure):
                return await self._retry(call, first)
            expired = first
        except _SessionExpired as later:
            expired = later
        await self.auth.refresh(expired.generation, self)
        try:
            return await self._run(call)
        except _SessionExpired as again:
            raise again.error from None

    async def _traced(self, tracer: Any, call: _Call) -> Any:
        shared = self._shared
        span, token = start_span(
            tracer, call.method, call.route, self._display_url(call), shared.host, shared.port
        )
        error: BaseException | None = None
        try:
            return await self._attempt(call, recover=True)
        except BaseException as exc:
            error = exc
            raise
        finally:
            end_span(span, token, call.status, call.attempts, error)

    async def send_unauthenticated(
        self, method: str, path: str, body: Any, response_type: type[T]
    ) -> T:
        """A request without a token that is safe to repeat (the login steps)."""
        call = _Call(
            self._shared, method, path, response_type, None, body, True, authenticated=False
        )
        result: T = await self._run(call)
        if isinstance(result, RawResponse):  # a raw view logging in
            parsed: T = result.parse()
            return parsed
        return result

    async def logout(self) -> None:
        """End the session (``DELETE /sessiontoken/{token}``) and forget the token.

        A token the server no longer knows (401 or 404) counts as logged out.
        """
        token = self.auth.current
        if token is None:
            return
        call = _Call(
            self._shared,
            "DELETE",
            f"/sessiontoken/{token}",
            None,
            None,
            None,
            True,
            relogin=False,
            display_path="/sessiontoken/***",
            route="/sessiontoken/{token}",
        )
        try:
            await self._dispatch(call)
        except KashFlowError as exc:
            if getattr(exc, "status", None) not in (401, 404):
                raise
        self.auth.forget()

    async def _run(self, call: _Call) -> Any:
        """Attempts of `call` with retries (an expired token is the caller's business)."""
        try:
            return await self._attempt(call)
        except Failure as first:
            return await self._retry(call, first)

    async def _retry(self, call: _Call, first: Failure) -> Any:
        hooks = self._hooks
        on_retry = None
        if hooks is not None and hooks.retry:

            async def on_retry(failure: Failure, retry: int, delay: float) -> None:
                assert hooks is not None
                event = RetryEvent(
                    call.method,
                    call.route,
                    self._display_url(call),
                    call.attempts,
                    delay,
                    failure.error,
                    getattr(failure.error, "status", None),
                    self.max_retries,
                )
                await emit(hooks.retry, event)

        return await retry_after_failure(
            first,
            lambda: self._attempt(call),
            max_retries=self.max_retries,
            policy=self.policy,
            label=call.label,
            on_retry=on_retry,
        )

    def _headers(self, token: str | None, with_body: bool) -> CIMultiDict[str]:
        """The request's own headers (the session's defaults come on top), made once per
        token."""
        shared = self._shared
        if token is None:
            return shared.body_headers if with_body else shared.plain_headers
        cached = shared.auth_headers
        if cached is None or cached[0] is not token:
            value = "KfToken " + token
            plain = shared.plain_headers.copy()
            plain["Authorization"] = value
            body = shared.body_headers.copy()
            body["Authorization"] = value
            cached = (token, plain, body)
            shared.auth_headers = cached
        return cached[2] if with_body else cached[1]

    async def _attempt(self, call: _Call, recover: bool = False) -> Any:
        """One attempt of `call`. A retryable failure or an expired token raises, or with
        `recover` (the first attempt) goes on to the retries and the re-login."""
        call.attempts = number = call.attempts + 1
        shared = self._shared
        token: str | None = None
        generation = 0
        if call.authenticated:
            auth = shared.auth
            token = auth._token  # SessionAuth.token's common case, inlined
            if token is None:
                token, generation = await auth.token(self)
            else:
                generation = auth._generation
        cached = shared.auth_headers  # _headers' common case, inlined
        if cached is not None and cached[0] is token:
            headers = cached[2] if call.data is not None else cached[1]
        else:
            headers = self._headers(token, call.data is not None)
        session = shared.session or self.session
        hooks = self._hooks
        codec = shared.codec
        timed = hooks is not None or self.raw or logger.isEnabledFor(logging.DEBUG)
        content_type = ""
        retry_after: str | None = None
        limits = shared.limits
        failure: Exception | None = None
        start = 0.0
        if not limits.try_acquire():
            await limits.acquire()
        try:
            if (sending := SENDING.get()) is not None:
                sending()  # create_many: this attempt is written now
            if hooks is not None and hooks.request:
                event = RequestEvent(call.method, call.route, self._display_url(call), number)
                await emit(hooks.request, event)
            if timed:
                start = time.perf_counter()
            # awaited rather than entered: no context-manager coroutines per request
            resp = await session.request(
                call.method,
                call.url,
                params=call.params,
                data=call.data,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            )
            try:
                status = resp.status
                resp_headers = resp.headers
                ok = 200 <= status < 300
                if not ok:
                    content_type = resp_headers.get("Content-Type", "")
                    retry_after = resp_headers.get("Retry-After")
                length = resp.content_length
                if (
                    length is not None
                    and length <= self.max_response_bytes
                    and "Content-Encoding" not in resp_headers
                ):
                    data = await resp.read()  # read_body's common case
                else:
                    data = await read_body(resp, self.max_response_bytes, codec)
            finally:
                resp.release()
        except _TRANSPORT_ERRORS as exc:
            failure = self._transport_failure(call, exc, number, start)
        finally:
            limits.release()
        if failure is not None:
            # Raised here, not in the except block, so that the aiohttp error is never
            # chained implicitly (as __context__): only _transport_failure decides.
            if recover and isinstance(failure, Failure):
                return await self._recover(call, failure)
            raise failure
        call.status = status
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
                url = self._display_url(call)
                event = ResponseEvent(
                    call.method, call.route, url, number, status, elapsed, request_id
                )
                await emit(hooks.response, event)
            if self.raw and ok:
                version = resp.version
                return RawResponse(
                    status=status,
                    headers=resp_headers,
                    content=data,
                    elapsed=elapsed,
                    attempts=number,
                    http_version=f"{version.major}.{version.minor}" if version else "",
                    method=call.method,
                    url=self._display_url(call),
                    codec=codec,
                    response_type=call.response_type,
                )
        if ok:
            if call.response_type is None:
                return None
            return codec.decode(data, call.response_type)
        error = self._status_failure(
            call, status, data, content_type, retry_after, generation, resp_headers
        )
        if recover and isinstance(error, (Failure, _SessionExpired)):
            return await self._recover(call, error)
        raise error

    def _display_url(self, call: _Call) -> str:
        url = self._shared.base_url + call.display_path
        if call.params:
            url += "?" + urlencode(call.params)
        return url

    def _transport_failure(
        self, call: _Call, exc: BaseException, number: int, start: float
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
            elapsed = time.perf_counter() - start if start else 0.0
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
        headers: CIMultiDictProxy[str],
    ) -> Exception:
        error_code, message = error_fields(data, content_type, self.codec)
        url = self._display_url(call)
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
            headers=headers,
            request_id=request_id,
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
