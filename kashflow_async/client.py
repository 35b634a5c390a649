"""`KashFlowClient`: wires a codec, the transport and the resources together."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

import aiohttp

from ._checks import whole_number
from ._closing import AsyncClosing
from .codecs import get_codec
from .errors import InvalidArgumentError
from .models import Metadata, VatRate
from .resources import (
    BankAccounts,
    Customers,
    Invoices,
    Nominals,
    Products,
    Projects,
    Purchases,
    Quotes,
    Raw,
    Reference,
    Suppliers,
)
from .resources.any_endpoint import AnyEndpoint
from .transport import DEFAULT_MAX_RESPONSE_BYTES, RetryPolicy, SessionAuth, Transport
from .transport._logging import configure_from_env
from .transport.hooks import EventHooks
from .transport.transport import CallOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .coordination import Coordinator

__all__ = ["DEFAULT_BASE_URL", "KashFlowClient"]

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.kashflow.com/v2"


class KashFlowClient(AsyncClosing):
    """The asyncio client for the KashFlow REST API v2.

    Authenticate with `token` (a session token), or with `username`, `password` and
    `memorable_word` (the client logs in on first use and again when the token expires).

    `timeout` is per attempt, in seconds; `max_retries` the retries after a failed
    attempt (see `RetryPolicy`); `max_concurrency` caps requests in flight; `rate_limit`
    caps requests per second (None: unlimited). `session` reuses an aiohttp session that
    the client then leaves open; otherwise the client opens its own on first use and
    closes it in `aclose()` (or at the end of ``async with``).

    Keyword-only extras: `max_response_bytes` refuses larger answers (`DecodeError`);
    `retry_policy` sets the backoff and, for tests, the clock, sleep and randomness;
    `coordinator` (a `kashflow_async.coordination.RedisCoordinator`) shares the account's
    limits, 429 pauses and, with credentials, the session with other clients and processes;
    `event_hooks` (``{"request": [...], "response": [...], "retry": [...]}``) are called
    for every attempt (see `RequestEvent`); `tracer_provider` is the OpenTelemetry
    provider for this client's spans (default: the global one, if any); `deadline` bounds
    each whole call in seconds, every attempt and wait included (None: only `timeout` per
    attempt and `max_retries`), raising `DeadlineExceededError` when it passes.
    `proxy` (an ``http://`` URL, credentials allowed) carries every request; with
    `trust_env` (and no `proxy`) the proxy is the one ``HTTPS_PROXY`` or ``HTTP_PROXY``
    names for the base URL, unless ``NO_PROXY`` lists its host (read once, here).

    `with_options()` gives a view with other per-call options;
    ``kf.<resource>.with_raw_response.<method>()`` returns `RawResponse` objects.
    """

    def __init__(
        self,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        memorable_word: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        wire_format: str = "json",
        timeout: float | None = 30.0,
        max_retries: int = 3,
        max_concurrency: int = 16,
        rate_limit: float | None = None,
        session: aiohttp.ClientSession | None = None,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        retry_policy: RetryPolicy | None = None,
        coordinator: Coordinator | None = None,
        event_hooks: EventHooks | None = None,
        tracer_provider: Any = None,
        deadline: float | None = None,
        trust_env: bool = False,
        proxy: str | None = None,
    ) -> None:
        configure_from_env()
        _check_deadline(deadline)
        _check_proxy(proxy, trust_env)
        _check_args(timeout, max_retries, max_concurrency, rate_limit, max_response_bytes)
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise InvalidArgumentError(f"base_url must be an http(s) URL, not {base_url!r}")
        try:
            codec = get_codec(wire_format)
        except ValueError:
            raise InvalidArgumentError(
                f"wire_format must be 'json' or 'xml', not {wire_format!r}"
            ) from None
        shared = None
        if coordinator is not None and _all_text(username, password, memorable_word):
            # the shared session belongs to one login: it is sealed with these credentials
            shared = coordinator.session_for(
                username=cast(str, username),
                password=cast(str, password),
                memorable_word=cast(str, memorable_word),
                base_url=base_url,
            )
        auth = SessionAuth(
            token=token,
            username=username,
            password=password,
            memorable_word=memorable_word,
            shared=shared,
        )
        self._transport = Transport(
            base_url=base_url,
            codec=codec,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            max_concurrency=max_concurrency,
            rate_limit=rate_limit,
            session=session,
            max_response_bytes=max_response_bytes,
            retry_policy=retry_policy,
            shared_limits=coordinator,
            event_hooks=event_hooks,
            tracer_provider=tracer_provider,
            deadline=deadline,
            proxy=proxy,
            trust_env=trust_env,
        )
        self._attach(self._transport)

    def _attach(self, transport: Transport) -> None:
        self._transport = transport
        #: Sales invoices (and ``invoices.bulk_payments``).
        self.invoices = Invoices(transport)
        #: Quotes.
        self.quotes = Quotes(transport)
        #: Purchases (and ``purchases.bulk_payments``).
        self.purchases = Purchases(transport)
        #: Customers, by code.
        self.customers = Customers(transport)
        #: Suppliers, by code.
        self.suppliers = Suppliers(transport)
        #: Projects.
        self.projects = Projects(transport)
        #: Nominal codes (the chart of accounts).
        self.nominals = Nominals(transport)
        #: Products, by nominal code and product code.
        self.products = Products(transport)
        #: Bank accounts (and ``bank_accounts.transactions(account_id)``).
        self.bank_accounts = BankAccounts(transport)
        #: VAT rates and metadata (``with_raw_response`` gives their raw twins).
        self.reference = Reference(transport)
        self._any_endpoint = AnyEndpoint(transport)

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        body: Any = ...,
        cast_to: type[T],
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        body: Any = ...,
        cast_to: None = ...,
    ) -> Any: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        cast_to: Any = None,
    ) -> Any:
        """Call any endpoint, modelled or not, through the client's request path.

        `method` is ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``; `path` is below
        the base URL (``/customers/SHA01``); `params` the query (values: str, int,
        Decimal, bool, date; None is left out). `body` is a model (or a list of models)
        or plain data (dicts, lists, str, int, Decimal, bool, dates; XML: a dict with one
        key, the root element's name). `cast_to` is the model type to decode the answer
        as, or None for plain Python data (JSON numbers as int or Decimal; XML text by
        the project's XML convention).

        Same path as every resource method: token and re-login, retries (a POST only if
        it never arrived, or on 429 and 503), limits, coordinator, hooks and tracing.
        ``kf.with_raw_response.request(...)`` answers a `RawResponse`.
        Raises `InvalidArgumentError` before sending for a method, path (anything
        outside the base URL), params or cast_to it refuses, `EncodeError` for a body
        it cannot send, and the errors of any call (`APIError`, `TransportError`, ...).
        """
        return await self._any_endpoint.request(
            method, path, params=params, body=body, cast_to=cast_to
        )

    @property
    def with_raw_response(self) -> AnyEndpoint[Raw]:
        """``kf.with_raw_response.request(...)``: `request` answering a `RawResponse`."""
        return self._any_endpoint.with_raw_response

    def with_options(self, **options: Unpack[CallOptions]) -> KashFlowClient:
        """A view of this client with some per-call options changed.

        The view shares the session, the token (and any re-login), the limits
        (concurrency, rate, 429 pauses, coordinator), the codec and the tracer with this
        client; only the options given here differ. It is cheap: make one per call
        if you like. Closing it closes nothing; the client it came from owns the session.

        Per call: `timeout` (seconds per attempt, None: none), `max_retries`,
        `retry_policy` (backoff timing), `event_hooks` (replaces the client's; ``{}``:
        none), `max_response_bytes` and `deadline` (seconds for the whole call; None:
        none). Not per call, because they are the client's
        shared state: `rate_limit`, `max_concurrency` (one budget for all views),
        credentials and token, `base_url`, `wire_format` and `session` (make another
        client for those).
        """
        unknown = sorted(set(options) - set(CallOptions.__annotations__))
        if unknown:
            raise InvalidArgumentError(
                f"with_options takes {', '.join(CallOptions.__annotations__)}; "
                f"not {', '.join(unknown)}"
            )
        current = self._transport
        _check_args(
            options.get("timeout", current.timeout),
            options.get("max_retries", current.max_retries),
            current.limits.max_concurrency,
            current.limits.rate_limit,
            options.get("max_response_bytes", current.max_response_bytes),
        )
        _check_deadline(options.get("deadline", current.deadline))
        policy = options.get("retry_policy", current.policy)
        if not isinstance(policy, RetryPolicy):
            raise InvalidArgumentError(
                f"retry_policy must be a RetryPolicy, not {type(policy).__name__}"
            )
        view = current.with_options(**options)
        client = object.__new__(KashFlowClient)
        client._attach(view)
        return client

    def __repr__(self) -> str:
        t = self._transport
        return (
            f"KashFlowClient(base_url={t.base_url!r}, wire_format={t.codec.name!r}, "
            f"auth={t.auth!r})"
        )

    @property
    def base_url(self) -> str:
        """The API root every path is joined to."""
        return self._transport.base_url

    @property
    def wire_format(self) -> str:
        """``"json"`` or ``"xml"``."""
        return self._transport.codec.name

    async def vat_rates(self, date: dt.date | None = None) -> list[VatRate]:
        """The VAT rates of every country valid on `date` (None: the latest); see
        `Reference.vat_rates`."""
        return await self.reference.vat_rates(date)

    async def metadata(self) -> Metadata:
        """Counts and totals of the account; see `Reference.metadata`."""
        return await self.reference.metadata()

    async def logout(self) -> None:
        """End the session on the server and forget the token.

        With credentials, the next request logs in again; with a token only, later
        requests raise `AuthenticationError`.
        """
        await self._transport.logout()

    async def aclose(self) -> None:
        """Close the aiohttp session if the client opened it. Does not log out.

        On a view (`with_options`), does nothing.
        """
        await self._transport.aclose()

    def __del__(self) -> None:
        transport = getattr(self, "_transport", None)
        if transport is not None and transport.unclosed:
            warnings.warn(
                f"unclosed {self!r}: use 'async with' or await aclose()",
                ResourceWarning,
                source=self,
                stacklevel=1,
            )


def _all_text(*values: object) -> bool:
    """Whether every value is a non-empty string (credentials to seal a session with)."""
    return all(isinstance(value, str) and value for value in values)


def _check_args(
    timeout: float | None,
    max_retries: int,
    max_concurrency: int,
    rate_limit: float | None,
    max_response_bytes: int,
) -> None:
    def is_positive_number(value: object) -> bool:
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value > 0
        )

    if timeout is not None and not is_positive_number(timeout):
        raise InvalidArgumentError(
            f"timeout must be a positive number of seconds or None, not {timeout!r}"
        )
    whole_number("max_retries", max_retries, 0)
    whole_number("max_concurrency", max_concurrency, 1)
    if rate_limit is not None and not is_positive_number(rate_limit):
        raise InvalidArgumentError(
            "rate_limit must be a positive number of requests per second or None, "
            f"not {rate_limit!r}"
        )
    whole_number("max_response_bytes", max_response_bytes, 1)


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and (
        not isinstance(deadline, (int, float))
        or isinstance(deadline, bool)
        or not math.isfinite(deadline)
        or deadline <= 0
    ):
        raise InvalidArgumentError(
            f"deadline must be a positive number of seconds or None, not {deadline!r}"
        )


def _check_proxy(proxy: str | None, trust_env: bool) -> None:
    if not isinstance(trust_env, bool):
        raise InvalidArgumentError(f"trust_env must be True or False, not {trust_env!r}")
    if proxy is not None and (
        not isinstance(proxy, str) or not proxy.startswith(("http://", "https://"))
    ):
        shown = proxy if not isinstance(proxy, str) else proxy.split("@")[-1]
        raise InvalidArgumentError(f"proxy must be an http(s):// URL or None, not {shown!r}")
