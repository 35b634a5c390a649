"""Fault injection over loopback: latency, 5xx, 429 with Retry-After, dropped connections
before and after the request is applied, and the statistics."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from kashflow_async import (
    AmbiguousResultError,
    Invoice,
    KashFlowClient,
    RateLimitError,
    ServerError,
    TransportError,
)
from kashflow_async.sandbox import FaultRule, Faults, Sandbox

from .conftest import Raw


async def test_latency_with_jitter(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(latency=0.05, jitter=0.05, seed=3)
    start = time.monotonic()
    await kf.invoices.get(1)
    elapsed = time.monotonic() - start
    assert 0.05 <= elapsed < 2.0


async def test_503_is_retried_by_the_client(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(routes={"GET /invoices/{number}": FaultRule(script=("503", "503"))})
    inv = await kf.invoices.get(1)
    assert inv.number == 1
    assert sb.stats.requests["GET /invoices/{number}"] == 3
    assert sb.stats.faults["503"] == 2


async def test_500_on_post_is_not_resent(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("500",))})
    count = sb.state.invoice_count()
    with pytest.raises(ServerError):
        await kf.invoices.create(Invoice(customer_code="TCUST01"))
    assert sb.stats.requests["POST /invoices"] == 1
    assert sb.state.invoice_count() == count


async def test_429_carries_retry_after_and_client_waits(
    sb: Sandbox, kf: KashFlowClient, raw: Raw
) -> None:
    sb.faults = Faults(routes={"/quotes/{number}": FaultRule(script=("429",), retry_after=1)})
    status, _, headers = await raw.call("GET", "/quotes/1")
    assert status == 429
    assert headers["Retry-After"] == "1"
    sb.faults = Faults(routes={"/quotes/{number}": FaultRule(script=("429",), retry_after=1)})
    start = time.monotonic()
    assert (await kf.quotes.get(1)).number == 1
    assert time.monotonic() - start >= 0.9


async def test_rate_limit_gives_429_beyond_the_configured_rate(sb: Sandbox, raw: Raw) -> None:
    sb.faults = Faults(rate_limit=3, rate_window=5.0)
    statuses = [(await raw.call("GET", f"/invoices/{n}"))[0] for n in (1, 2, 3, 4)]
    assert statuses == [200, 200, 200, 429]


async def test_error_rate_is_seeded_and_repeatable(sb: Sandbox, raw: Raw) -> None:
    async def run() -> list[int]:
        sb.faults = Faults(error_rate=0.5, seed=11)
        return [(await raw.call("GET", "/invoices/1"))[0] for _ in range(12)]

    first = await run()
    assert first == await run()
    assert set(first) - {200} and 200 in first
    assert set(first) <= {200, 500, 503}


async def test_drop_before_applies_nothing(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("drop_before",))})
    count = sb.state.invoice_count()
    with pytest.raises(TransportError):
        await kf.invoices.create(Invoice(customer_code="TCUST01"))
    assert sb.state.invoice_count() == count


async def test_drop_after_applies_but_loses_the_reply(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("drop_after",))})
    count = sb.state.invoice_count()
    with pytest.raises(AmbiguousResultError):
        await kf.invoices.create(Invoice(customer_code="TCUST01", customer_reference="once"))
    assert sb.stats.requests["POST /invoices"] == 1
    assert sb.state.invoice_count() == count + 1
    newest = sb.state.invoice(sb.state.invoice_numbers()[-1])
    assert newest.customer_reference == "once"


@pytest.mark.parametrize(("action", "applied"), [("drop_before", 0), ("drop_after", 1)])
async def test_drops_at_raw_level(sb: Sandbox, raw: Raw, action: str, applied: int) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=(action,))})
    count = sb.state.invoice_count()
    async with aiohttp.ClientSession() as fresh:
        with pytest.raises(aiohttp.ClientConnectionError):
            async with fresh.post(
                sb.url + "/invoices",
                data=raw.codec.encode(Invoice(customer_code="TCUST01")),
                headers=raw.headers(),
            ) as resp:
                await resp.read()
    assert sb.state.invoice_count() == count + applied
    assert sb.stats.faults[action] == 1


async def test_stats_count_routes_and_requests_in_flight(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(latency=0.05)
    sb.stats.reset()
    await asyncio.gather(*(kf.invoices.get(n) for n in range(1, 7)))
    assert sb.stats.requests["GET /invoices/{number}"] == 6
    assert sb.stats.max_in_flight >= 2
    assert sb.stats.in_flight == 0
    assert len(sb.stats.times("GET /invoices/{number}")) == 6
    assert sb.stats.max_rate(1.0) == 6


async def test_rate_limit_error_after_retries(sb: Sandbox, fmt: str) -> None:
    sb.faults = Faults(
        routes={"GET /invoices/{number}": FaultRule(script=("429",) * 5, retry_after=1)}
    )
    async with KashFlowClient(
        token=sb.token, base_url=sb.url, wire_format=fmt, max_retries=0
    ) as kf:
        with pytest.raises(RateLimitError) as info:
            await kf.invoices.get(1)
    assert info.value.retry_after == 1
