"""The request path: every call of the client goes through `Transport.request`.

Layered like httpx's ``send``, outermost first, one concern each:

- `Transport.request` builds the `Call` (the body is encoded at once) and, when a tracer
  records, wraps the rest in the call's span (`_send_traced`);
- `_send_handling_auth`: a 401 ``InvalidSessionToken`` leads to one shared re-login
  (`auth`) and one replay;
- `_send_handling_retries`: a retryable failure hands over to `retry`;
- `send_once` (`_attempt`): one round trip under the limits, with hooks and logging.

The transport knows nothing of invoices: paths, bodies and result types come from the
resources.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

import aiohttp

from ..codecs import Codec
from ..errors import DeadlineExceededError, KashFlowError
from ._attempt import send_once
from ._call import USER_AGENT, Call, CallOptions, Shared
from ._deadline import deadline_error, shielded_within
from ._failures import SessionExpired
from .auth import SessionAuth
from .hooks import EventHooks, Hooks, retry_hook
from .limits import Admission, Limits
from .raw import RawResponse
from .retry import Failure, RetryPolicy, retry_after_failure
from .tracing import OTEL_TRACE, Tracing, end_span, start_span

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "USER_AGENT", "CallOptions", "Transport"]

T = TypeVar("T")

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


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
        "deadline",
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
        deadline: float | None = None,
        proxy: str | None = None,
        trust_env: bool = False,
        retry_policy: RetryPolicy | None = None,
        event_hooks: EventHooks | None = None,
        tracer_provider: Any = None,
        shared_limits: Admission | None = None,
    ) -> None:
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes
        self.deadline = deadline
        self.policy = retry_policy if retry_policy is not None else RetryPolicy()
        limits = Limits(
            max_concurrency=max_concurrency,
            rate_limit=rate_limit,
            clock=self.policy.clock,
            sleep=self.policy.sleep,
            shared=shared_limits,
        )
        self._shared = Shared(
            base_url.rstrip("/"),
            codec,
            auth,
            limits,
            session,
            Tracing(tracer_provider),
            proxy=proxy,
            trust_env=trust_env,
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
        if "deadline" in options:
            view.deadline = options["deadline"]
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
            session = shared.new_session()
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
        data: bytes | None = ...,
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
        data: bytes | None = ...,
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
        data: bytes | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """Send `method` `path` (below the base URL) and decode the answer as
        `response_type` (None: the body is ignored). On a raw view, return the
        `RawResponse` instead (decoded by its `parse()`).

        Returns the call's coroutine (await it). `body` (a model or list) is encoded
        with the client's codec at once, before anything is sent.

        `route` is the path's template as the documentation writes it
        (``/invoices/{number}``), for hooks, logs and spans (default: `path`).
        `idempotent` defaults to "not POST" and decides what may be retried. `data`, if
        given, is the body already encoded (`body` is then only what
        `AmbiguousResultError` reports as sent).
        Raises the errors of `kashflow_async.errors`: `APIError` subclasses, `TransportError`,
        `AmbiguousResultError`, `DecodeError`, `EncodeError`.
        """
        call = Call(
            self._shared,
            method,
            path,
            response_type,
            params,
            body,
            idempotent,
            route=route,
            data=data,
        )
        return self._send(call)

    def _send(self, call: Call) -> Coroutine[Any, Any, Any]:
        """The call's coroutine: traced when a tracer records, else the plain path."""
        if self.deadline is not None:
            call.deadline_at = self.policy.clock() + self.deadline
        tracing = self._shared.tracing
        # Tracing.tracer's first test, inlined: no OpenTelemetry loaded, no provider given
        if tracing.provider is not None or OTEL_TRACE in sys.modules:
            tracer = tracing.tracer()
            if tracer is not None:
                return self._send_traced(tracer, call)
        return self._send_handling_auth(call)

    async def _send_traced(self, tracer: Any, call: Call) -> Any:
        """The call inside its span (one span for all its attempts)."""
        shared = self._shared
        span, token = start_span(
            tracer, call.method, call.route, self._display_url(call), shared.host, shared.port
        )
        error: BaseException | None = None
        try:
            return await self._send_handling_auth(call)
        except BaseException as exc:
            error = exc
            raise
        finally:
            end_span(span, token, call.status, call.attempts, error)

    async def _send_handling_auth(self, call: Call) -> Any:
        """The call, replayed once (with its retries) after a re-login if its token
        expired."""
        try:
            return await self._send_handling_retries(call)
        except SessionExpired as exc:
            expired = exc
        refresh = self.auth.refresh(expired.generation, self)
        if call.deadline_at is None:
            await refresh
        elif not (await shielded_within(refresh, call.deadline_at - self.policy.clock()))[0]:
            raise self.past_deadline(call, expired.error)
        try:
            return await self._send_handling_retries(call)
        except SessionExpired as again:
            raise again.error from None

    async def _send_handling_retries(self, call: Call) -> Any:
        """The call's attempts: the first, then retries while its failures allow."""
        try:
            return await send_once(self, call)
        except Failure as exc:
            first = exc
        return await retry_after_failure(
            first,
            lambda: send_once(self, call),
            max_retries=self.max_retries,
            policy=self.policy,
            label=call.label,
            on_retry=retry_hook(self._hooks, call, self._display_url, self.max_retries),
            deadline_at=call.deadline_at,
            past_deadline=lambda failure: self.past_deadline(call, failure.error),
        )

    def past_deadline(
        self, call: Call, last: BaseException | None, *, cut: bool = False
    ) -> DeadlineExceededError:
        """The error of `call` ended by its deadline; `last` is what its last attempt got
        (`cut`: the deadline cut that attempt short)."""
        assert self.deadline is not None
        return deadline_error(
            deadline=self.deadline,
            method=call.method,
            url=self._display_url(call),
            attempts=call.attempts,
            last=last,
            cut=cut,
        )

    async def send_unauthenticated(
        self, method: str, path: str, body: Any, response_type: type[T]
    ) -> T:
        """A request without a token that is safe to repeat (the login steps)."""
        call = Call(
            self._shared, method, path, response_type, None, body, True, authenticated=False
        )
        if self.deadline is not None:
            call.deadline_at = self.policy.clock() + self.deadline
        result: T = await self._send_handling_retries(call)
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
        call = Call(
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
            await self._send(call)
        except KashFlowError as exc:
            if getattr(exc, "status", None) not in (401, 404):
                raise
        self.auth.forget()

    def _display_url(self, call: Call) -> str:
        return call.display_url(self._shared.base_url)
