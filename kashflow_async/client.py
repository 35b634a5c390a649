"""`KashFlowClient`: wires a codec, the transport and the resources together."""

from __future__ import annotations

import math
import warnings
from types import TracebackType
from typing import TYPE_CHECKING

import aiohttp

from .codecs import get_codec
from .errors import InvalidArgumentError
from .resources import Invoices, PurchaseBulkPayments, Purchases, Quotes
from .transport import DEFAULT_MAX_RESPONSE_BYTES, RetryPolicy, SessionAuth, Transport
from .transport._logging import configure_from_env

if TYPE_CHECKING:
    from .coordination import Coordinator

__all__ = ["DEFAULT_BASE_URL", "KashFlowClient"]

DEFAULT_BASE_URL = "https://api.kashflow.com/v2"


class KashFlowClient:
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
    limits, 429 pauses and, with credentials, the session with other clients and processes.
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
    ) -> None:
        configure_from_env()
        _check_args(timeout, max_retries, max_concurrency, rate_limit, max_response_bytes)
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise InvalidArgumentError(f"base_url must be an http(s) URL, not {base_url!r}")
        try:
            codec = get_codec(wire_format)
        except ValueError:
            raise InvalidArgumentError(
                f"wire_format must be 'json' or 'xml', not {wire_format!r}"
            ) from None
        auth = SessionAuth(
            token=token,
            username=username,
            password=password,
            memorable_word=memorable_word,
            shared=coordinator.session if coordinator is not None else None,
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
        )
        #: Sales invoices (and ``invoices.bulk_payments``).
        self.invoices = Invoices(self._transport)
        #: Quotes.
        self.quotes = Quotes(self._transport)
        #: Purchases (``purchases.bulk_payments``).
        self.purchases = Purchases(PurchaseBulkPayments(self._transport))

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

    async def logout(self) -> None:
        """End the session on the server and forget the token.

        With credentials, the next request logs in again; with a token only, later
        requests raise `AuthenticationError`.
        """
        await self._transport.logout()

    async def aclose(self) -> None:
        """Close the aiohttp session if the client opened it. Does not log out."""
        await self._transport.aclose()

    async def __aenter__(self) -> KashFlowClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        transport = getattr(self, "_transport", None)
        if transport is not None and transport.unclosed:
            warnings.warn(
                f"unclosed {self!r}: use 'async with' or await aclose()",
                ResourceWarning,
                source=self,
                stacklevel=1,
            )


def _check_args(
    timeout: float | None,
    max_retries: int,
    max_concurrency: int,
    rate_limit: float | None,
    max_response_bytes: int,
) -> None:
    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

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
    if not is_int(max_retries) or max_retries < 0:
        raise InvalidArgumentError(f"max_retries must be a whole number >= 0, not {max_retries!r}")
    if not is_int(max_concurrency) or max_concurrency < 1:
        raise InvalidArgumentError(
            f"max_concurrency must be a whole number >= 1, not {max_concurrency!r}"
        )
    if rate_limit is not None and not is_positive_number(rate_limit):
        raise InvalidArgumentError(
            "rate_limit must be a positive number of requests per second or None, "
            f"not {rate_limit!r}"
        )
    if not is_int(max_response_bytes) or max_response_bytes < 1:
        raise InvalidArgumentError(
            f"max_response_bytes must be a whole number >= 1, not {max_response_bytes!r}"
        )
