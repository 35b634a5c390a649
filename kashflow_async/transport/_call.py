"""What a request carries: `Shared` (a client's state, common to all its views) and
`Call` (one call, the same across its attempts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from multidict import CIMultiDict
from yarl import URL

from .._version import __version__
from ..codecs import Codec
from .auth import SessionAuth
from .limits import Limits
from .tracing import Tracing

if TYPE_CHECKING:
    from .hooks import EventHooks
    from .retry import RetryPolicy

__all__ = ["USER_AGENT", "Call", "CallOptions", "Shared", "proxy_from_env"]

USER_AGENT = f"kashflow-async/{__version__}"
#: Paths whose parsed URL a client keeps (object numbers make paths many; the first
#: ones seen are kept, the rest parsed per request).
URL_CACHE_SIZE = 4096


class CallOptions(TypedDict, total=False):
    """What may differ per call (`Transport.with_options`, `KashFlowClient.with_options`)."""

    #: seconds per attempt (None: no limit)
    timeout: float | None
    max_retries: int
    retry_policy: RetryPolicy
    #: replaces the client's hooks (``{}`` or None: none)
    event_hooks: EventHooks | None
    max_response_bytes: int
    #: seconds for the whole call: every attempt, retry wait and admission wait (None: no
    #: limit beyond the per-attempt timeout and the retries)
    deadline: float | None


def proxy_from_env(base_url: str) -> tuple[str | None, dict[str, str] | None]:
    """The proxy the standard variables name for `base_url` (``HTTPS_PROXY`` or
    ``HTTP_PROXY`` by its scheme, unless ``NO_PROXY`` lists its host) and the
    ``Proxy-Authorization`` header for it; ``(None, None)`` when there is none.

    Read once per client: every request goes to the same host, and aiohttp's own
    ``trust_env`` would read the environment (and ``~/.netrc``) in a thread per request.
    """
    try:
        found, auth = get_env_proxy_for_url(URL(base_url))
    except LookupError:
        return None, None
    return str(found), ({"Proxy-Authorization": auth.encode()} if auth is not None else None)


class Shared:
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
        "proxy",
        "proxy_headers",
        "session",
        "session_headers",
        "tracing",
        "trust_env",
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
        *,
        proxy: str | None = None,
        trust_env: bool = False,
    ) -> None:
        self.base_url = base_url
        self.codec = codec
        self.auth = auth
        self.limits = limits
        self.session = session
        self.owns_session = session is None
        self.closed = False
        self.tracing = tracing
        #: whether the proxy comes from HTTPS_PROXY, HTTP_PROXY and NO_PROXY
        self.trust_env = trust_env
        #: the proxy every request goes through (None: none), and its own headers
        self.proxy = proxy
        self.proxy_headers: dict[str, str] | None = None
        if proxy is None and trust_env:
            self.proxy, self.proxy_headers = proxy_from_env(base_url)
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

    def headers(self, token: str | None, with_body: bool) -> CIMultiDict[str]:
        """A request's own headers (the session's defaults come on top), made once per
        token."""
        if token is None:
            return self.body_headers if with_body else self.plain_headers
        cached = self.auth_headers
        if cached is None or cached[0] is not token:
            value = "KfToken " + token
            plain = self.plain_headers.copy()
            plain["Authorization"] = value
            body = self.body_headers.copy()
            body["Authorization"] = value
            cached = (token, plain, body)
            self.auth_headers = cached
        return cached[2] if with_body else cached[1]

    def new_session(self) -> aiohttp.ClientSession:
        """The session this client opens for itself (one connector, its default headers)."""
        connector = aiohttp.TCPConnector(limit=self.limits.max_concurrency)
        return aiohttp.ClientSession(connector=connector, headers=self.session_headers)


class Call:
    """Everything about one call that stays the same across its attempts, and the count
    of its attempts (replays after a re-login count on)."""

    __slots__ = (
        "attempts",
        "authenticated",
        "data",
        "deadline_at",
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
        shared: Shared,
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
        data: bytes | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.params = params
        # encoded once, before anything is sent (EncodeError here)
        if data is None and body is not None:
            data = shared.codec.encode(body)
        self.data = data
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
        #: the clock reading (`RetryPolicy.clock`) by which the call must end, or None
        self.deadline_at: float | None = None

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

    def display_url(self, base_url: str) -> str:
        """The full URL with its query, as logs, errors and events may show it."""
        url = base_url + self.display_path
        if self.params:
            url += "?" + urlencode(self.params)
        return url
