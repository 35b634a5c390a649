"""Retry decisions and backoff, with time under the test's control (nothing really sleeps)."""

from __future__ import annotations

import asyncio
import email.utils
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from kashflow_async import (
    AmbiguousResultError,
    APIError,
    BulkPayment,
    Credit,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    Quote,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TransportError,
    get_codec,
)
from kashflow_async.transport import _call as call_module
from kashflow_async.transport import transport as transport_module
from kashflow_async.transport.retry import parse_retry_after

from .helpers import BASE, MEDIA, FakeTime, calls, connect_refused, reply

OK_INVOICE = reply("json", Invoice(number=9))
NEW = Invoice(
    customer_code="TCUST01",
    line_items=[InvoiceLine(quantity=Decimal("2"), rate=Decimal("12.34"))],
)


def test_backoff_is_exponential_capped_and_fully_jittered() -> None:
    top = RetryPolicy(random=lambda: 0.999999)
    assert [round(top.backoff(n), 3) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]
    half = RetryPolicy(random=lambda: 0.5)
    assert [half.backoff(n) for n in range(1, 6)] == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert RetryPolicy(random=lambda: 0.0).backoff(3) == 0.0
    assert RetryPolicy(random=lambda: 0.5).backoff(10_000) == 4.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        ("0", None),
        ("-5", None),
        ("2.5", 2.5),
        (" 30 ", 30.0),
        (email.utils.formatdate(1_700_000_012, usegmt=True), 12.0),
        (email.utils.formatdate(1_699_999_000, usegmt=True), None),
        (email.utils.formatdate(1_700_000_000, usegmt=True), None),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=1_700_000_000.0) == expected


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_idempotent_methods_retry_gateway_statuses(
    status: int,
    method: str,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    fake_time: FakeTime,
) -> None:
    kf = make_client()
    url = f"{BASE}/invoices/9"
    for _ in range(2):
        mock.add(url, method, status=status)
    mock.add(url, method, status=204 if method == "DELETE" else 200, **OK_INVOICE)
    if method == "GET":
        assert (await kf.invoices.get(9)).number == 9
    elif method == "PUT":
        assert (await kf.invoices.update(9, NEW)).number == 9
    else:
        assert await kf.invoices.delete(9) is None
    assert len(calls(mock)) == 3
    assert fake_time.sleeps == [0.25, 0.5]  # jitter 0.5 of 0.5 s, then of 1 s


@pytest.mark.parametrize(
    "exc",
    [
        connect_refused(),
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        aiohttp.ClientPayloadError("cut short"),
        asyncio.TimeoutError(),
        aiohttp.SocketTimeoutError("read timeout"),
    ],
    ids=type,
)
async def test_get_retries_connection_failures_and_timeouts(
    exc: Exception,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    fake_time: FakeTime,
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", exception=exc)
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    assert (await kf.invoices.get(9)).number == 9
    assert len(calls(mock)) == 2
    assert fake_time.sleeps == [0.25]


@pytest.mark.parametrize("status", [400, 404, 409, 500, 501])
async def test_other_statuses_are_not_retried(
    status: int,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    fake_time: FakeTime,
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", status=status, repeat=True)
    with pytest.raises(APIError) as caught:
        await kf.invoices.get(9)
    assert caught.value.status == status
    assert len(calls(mock)) == 1
    assert fake_time.sleeps == []


async def test_retries_stop_after_max_retries_with_the_last_error(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client(max_retries=3)
    mock.get(f"{BASE}/invoices/9", status=503, repeat=True)
    with pytest.raises(ServerError) as caught:
        await kf.invoices.get(9)
    assert caught.value.status == 503
    assert len(calls(mock)) == 4
    assert fake_time.sleeps == [0.25, 0.5, 1.0]


async def test_max_retries_zero_makes_one_attempt(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client(max_retries=0)
    mock.get(f"{BASE}/invoices/9", status=502, repeat=True)
    with pytest.raises(ServerError):
        await kf.invoices.get(9)
    assert len(calls(mock)) == 1
    assert fake_time.sleeps == []


async def test_jitter_comes_from_the_injected_randomness(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    draws = iter([0.1, 0.9])
    policy = RetryPolicy(sleep=fake_time.sleep, random=lambda: next(draws), clock=fake_time.clock)
    kf = make_client(retry_policy=policy)
    mock.get(f"{BASE}/invoices/9", status=504)
    mock.get(f"{BASE}/invoices/9", status=504)
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    await kf.invoices.get(9)
    assert fake_time.sleeps == pytest.approx([0.05, 0.9])


# -- POST: never repeated unless it provably did not arrive ---------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        aiohttp.ClientPayloadError("cut short"),
        asyncio.TimeoutError(),
        aiohttp.SocketTimeoutError("read timeout"),
        aiohttp.ClientConnectionError("connection lost"),
    ],
    ids=type,
)
async def test_post_that_may_have_been_applied_is_ambiguous_and_sent_once(
    exc: Exception,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    fake_time: FakeTime,
) -> None:
    kf = make_client(max_retries=3)
    mock.post(f"{BASE}/invoices", exception=exc, repeat=True)
    with pytest.raises(AmbiguousResultError) as caught:
        await kf.invoices.create(NEW)
    assert caught.value.sent is NEW
    assert isinstance(caught.value, TransportError)
    assert caught.value.method == "POST"
    assert len(calls(mock)) == 1
    assert fake_time.sleeps == []


async def test_post_refused_connection_is_retried(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    mock.post(f"{BASE}/invoices", exception=connect_refused())
    mock.post(f"{BASE}/invoices", exception=aiohttp.ConnectionTimeoutError("no connection"))
    mock.post(f"{BASE}/invoices", status=201, **OK_INVOICE)
    assert (await kf.invoices.create(NEW)).number == 9
    posts = calls(mock, "POST")
    assert len(posts) == 3
    bodies = {kwargs["data"] for _, _, kwargs in posts}
    assert len(bodies) == 1
    assert get_codec("json").decode(bodies.pop(), Invoice) == NEW


async def test_post_refused_every_time_is_plain_transport_error(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(max_retries=2)
    mock.post(f"{BASE}/invoices", exception=connect_refused(), repeat=True)
    with pytest.raises(TransportError) as caught:
        await kf.invoices.create(NEW)
    assert not isinstance(caught.value, AmbiguousResultError)
    assert len(calls(mock)) == 3


async def test_post_retry_that_then_times_out_is_ambiguous(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.post(f"{BASE}/invoices", status=503)
    mock.post(f"{BASE}/invoices", exception=asyncio.TimeoutError())
    mock.post(f"{BASE}/invoices", status=201, **OK_INVOICE)
    with pytest.raises(AmbiguousResultError):
        await kf.invoices.create(NEW)
    assert len(calls(mock)) == 2


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_post_other_5xx_is_server_error_not_retried(
    status: int, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.post(f"{BASE}/invoices", status=status, repeat=True)
    with pytest.raises(ServerError) as caught:
        await kf.invoices.create(NEW)
    assert caught.value.status == status
    assert len(calls(mock)) == 1


@pytest.mark.parametrize("status", [429, 503])
async def test_post_is_retried_on_429_and_503(
    status: int,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    fake_time: FakeTime,
) -> None:
    kf = make_client()
    mock.post(f"{BASE}/invoices", status=status)
    mock.post(f"{BASE}/invoices", status=201, **OK_INVOICE)
    assert (await kf.invoices.create(NEW)).number == 9
    assert len(calls(mock)) == 2
    assert fake_time.sleeps == [0.25]


@pytest.mark.parametrize(
    "call",
    [
        lambda kf: kf.invoices.apply_credits(5, [Credit(id=1)]),
        lambda kf: kf.invoices.convert_quotes([1, 2]),
        lambda kf: kf.invoices.bulk_payments.create(BulkPayment()),
        lambda kf: kf.quotes.create(Quote(number=4)),
    ],
    ids=["apply_credits", "convert_quotes", "bulk_payment", "quote"],
)
async def test_every_post_endpoint_is_protected(
    call: Callable[[KashFlowClient], Any],
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
) -> None:
    kf = make_client()
    mock.post(re.compile(r".*"), exception=aiohttp.ServerDisconnectedError(), repeat=True)
    with pytest.raises(AmbiguousResultError):
        await call(kf)
    assert len(calls(mock)) == 1


# -- Retry-After ----------------------------------------------------------------------------


async def test_retry_after_seconds_is_honoured(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", status=429, headers={"Retry-After": "7"})
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    await kf.invoices.get(9)
    assert fake_time.sleeps == [7.0]


async def test_retry_after_http_date_is_honoured(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    when = email.utils.formatdate(fake_time.wall() + 12, usegmt=True)
    mock.get(f"{BASE}/invoices/9", status=503, headers={"Retry-After": when})
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    await kf.invoices.get(9)
    assert fake_time.sleeps == [12.0]


async def test_retry_after_beyond_cap_raises_at_once(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", status=429, headers={"Retry-After": "61"}, repeat=True)
    with pytest.raises(RateLimitError) as caught:
        await kf.invoices.get(9)
    assert caught.value.retry_after == 61.0
    assert len(calls(mock)) == 1
    assert fake_time.sleeps == []


async def test_rate_limit_still_failing_after_retries(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client(max_retries=2)
    mock.get(f"{BASE}/invoices/9", status=429, headers={"Retry-After": "3"}, repeat=True)
    with pytest.raises(RateLimitError) as caught:
        await kf.invoices.get(9)
    assert caught.value.retry_after == 3.0
    assert len(calls(mock)) == 3
    assert fake_time.sleeps == [3.0, 3.0]


async def test_429_without_retry_after_uses_backoff(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", status=429)
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    await kf.invoices.get(9)
    assert fake_time.sleeps == [0.25]


# -- the success path does not build the retry machinery ------------------------------------


async def test_the_retry_loop_is_only_entered_after_a_retryable_failure(
    monkeypatch: pytest.MonkeyPatch,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
) -> None:
    entered: list[object] = []
    real = transport_module.retry_after_failure

    def counting(*args: Any, **kwargs: Any) -> Any:
        entered.append(object())
        return real(*args, **kwargs)

    monkeypatch.setattr(transport_module, "retry_after_failure", counting)
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE, repeat=True)
    for _ in range(5):
        await kf.invoices.get(9)
    assert entered == []
    mock.get(f"{BASE}/invoices/8", status=503)
    mock.get(f"{BASE}/invoices/8", **OK_INVOICE)
    await kf.invoices.get(8)
    assert len(entered) == 1


async def test_content_type_of_xml_client_on_retry(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format="xml")
    mock.get(f"{BASE}/invoices/9", status=503)
    mock.get(f"{BASE}/invoices/9", status=404)
    with pytest.raises(APIError) as caught:
        await kf.invoices.get(9)
    assert caught.value.status == 404
    for _, _, kwargs in calls(mock):
        assert kwargs["headers"]["Accept"] == MEDIA["xml"]


async def test_urls_are_parsed_once_per_path_up_to_the_cache_size(
    monkeypatch: pytest.MonkeyPatch,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
) -> None:
    monkeypatch.setattr(call_module, "URL_CACHE_SIZE", 2)
    kf = make_client()
    for n in (1, 2, 3, 1):
        mock.get(f"{BASE}/invoices/{n}", **OK_INVOICE)
    for n in (1, 2, 3, 1):
        assert (await kf.invoices.get(n)).number == 9
    urls = kf._transport._shared.urls
    assert list(urls) == ["/invoices/1", "/invoices/2"]  # the third is parsed per request
    assert urls["/invoices/1"] is kf._transport._shared.url("/invoices/1")
