"""Fault injection over loopback: latency, 5xx, 429 with Retry-After, dropped connections
before and after the request is applied, and the statistics."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from multidict import CIMultiDict

from kashflow_async import (
    AmbiguousResultError,
    AuthenticationError,
    Invoice,
    KashFlowClient,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from kashflow_async.models import ErrorBody
from kashflow_async.sandbox import FakeClock, FaultRule, Faults, Sandbox
from kashflow_async.sandbox.faults import FaultInjector

from .conftest import SMALL, Raw


async def test_latency_with_jitter(fmt: str) -> None:
    faults = Faults(latency=0.05, jitter=0.05, seed=3)
    clock = FakeClock()
    async with (
        Sandbox(**SMALL, faults=faults, clock=clock) as sb,
        KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt) as kf,
    ):
        for n in (1, 2, 3):
            await kf.invoices.get(n)
    same_seed = FaultInjector(faults)
    drawn = [same_seed.decide("GET /invoices/{number}").latency for _ in range(3)]
    assert clock.sleeps == drawn  # each request slept its own seeded draw
    assert all(0.05 <= d <= 0.10 for d in drawn)
    assert len(set(drawn)) == 3


async def test_503_is_retried_by_the_client(sb: Sandbox, fmt: str) -> None:
    sb.faults = Faults(routes={"GET /invoices/{number}": FaultRule(script=("503", "503"))})
    clock = FakeClock()
    policy = RetryPolicy(clock=clock.now, sleep=clock.sleep, random=lambda: 1.0)
    async with KashFlowClient(
        token=sb.token, base_url=sb.url, wire_format=fmt, retry_policy=policy
    ) as kf:
        inv = await kf.invoices.get(1)
    assert inv.number == 1
    assert sb.stats.requests["GET /invoices/{number}"] == 3
    assert sb.stats.faults["503"] == 2
    assert clock.sleeps == [0.5, 1.0]  # full backoff before each retry (random() = 1)


async def test_500_on_post_is_not_resent(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("500",))})
    count = sb.state.invoice_count()
    with pytest.raises(ServerError):
        await kf.invoices.create(Invoice(customer_code="TCUST01"))
    assert sb.stats.requests["POST /invoices"] == 1
    assert sb.state.invoice_count() == count


async def test_429_carries_retry_after_and_client_waits(fmt: str, raw: Raw) -> None:
    clock = FakeClock()
    rule = FaultRule(script=("429",), retry_after=1)
    async with Sandbox(**SMALL, clock=clock) as sb:
        raw.sb = sb
        sb.faults = Faults(routes={"/quotes/{number}": rule})
        status, _, headers = await raw.call("GET", "/quotes/1")
        assert status == 429
        assert headers["Retry-After"] == "1"
        sb.faults = Faults(routes={"/quotes/{number}": rule})
        policy = RetryPolicy(clock=clock.now, sleep=clock.sleep)
        async with KashFlowClient(
            token=sb.token, base_url=sb.url, wire_format=fmt, retry_policy=policy
        ) as kf:
            start = clock.now()
            assert (await kf.quotes.get(1)).number == 1
        assert clock.sleeps == [1.0]  # the client waited exactly the Retry-After
        assert clock.now() - start == 1.0
        assert [r.status for r in sb.stats.records] == [429, 429, 200]


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


class HeldClock(FakeClock):
    """Fake time whose sleeps (the injected latency) all wait until `count` requests
    sleep at once: a deterministic peak of requests in flight."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.released = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if len(self.sleeps) == self.count:
            self.released.set()
        await self.released.wait()


async def test_stats_count_routes_and_requests_in_flight(fmt: str) -> None:
    clock = HeldClock(6)
    async with (
        Sandbox(**SMALL, faults=Faults(latency=0.05), clock=clock) as sb,
        KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt) as kf,
    ):
        await asyncio.wait_for(asyncio.gather(*(kf.invoices.get(n) for n in range(1, 7))), 10)
        sb.faults = Faults()
        await kf.invoices.get(1)
    assert sb.stats.requests["GET /invoices/{number}"] == 7
    assert sb.stats.max_in_flight == 6  # held in the latency: in flight at the server
    assert sb.stats.in_flight == 0
    assert len(sb.stats.times("GET /invoices/{number}")) == 7
    assert sb.stats.max_rate(1.0) == 7


async def test_account_wide_rate_limit_spans_clients_and_connections(fmt: str) -> None:
    clock = FakeClock(0.0)
    faults = Faults(rate_limit=3, rate_window=5.0)
    async with (
        Sandbox(**SMALL, faults=faults, clock=clock) as sb,
        aiohttp.ClientSession() as one,
        aiohttp.ClientSession() as two,
    ):
        first, second = Raw(one, sb, fmt), Raw(two, sb, fmt)
        other_token = sb.new_token()

        async def call(raw: Raw, path: str, token: str = "") -> tuple[int, bytes, dict[str, str]]:
            return await raw.call("GET", path, token=token)

        assert (await call(first, "/invoices/1"))[0] == 200
        clock.advance(1.0)
        assert (await call(second, "/quotes/1", other_token))[0] == 200
        clock.advance(1.25)
        assert (await call(first, "/invoices?page=2"))[0] == 200
        clock.advance(0.5)  # 2.75 s: the first slot frees at 5.0
        status, body, headers = await call(second, "/invoices/2", other_token)
        assert status == 429
        assert headers["Retry-After"] == "3"
        error = second.codec.decode(body, ErrorBody)
        assert error.error == "TooManyRequests" and "Retry-After" in (error.message or "")
        status, _, headers = await call(first, "/quotes/2")
        assert (status, headers["Retry-After"]) == (429, "3")
        clock.advance(2.25)  # 5.0: one slot frees
        assert (await call(first, "/quotes/2"))[0] == 200
        status, _, headers = await call(second, "/invoices/2", other_token)
        assert (status, headers["Retry-After"]) == (429, "1")  # the second frees at 6.0
    assert sb.stats.rate_limited == 3
    assert [r.status for r in sb.stats.records] == [200, 200, 200, 429, 429, 200, 429]
    assert [r.arrived for r in sb.stats.records] == [0.0, 1.0, 2.25, 2.75, 2.75, 5.0, 5.0]
    assert [r.route for r in sb.stats.records][:3] == [
        "/invoices/{number}",
        "/quotes/{number}",
        "/invoices",
    ]


async def test_every_answer_carries_a_request_id(sb: Sandbox, raw: Raw) -> None:
    sb.faults = Faults(routes={"GET /quotes/{number}": FaultRule(script=("503", "429"))})
    sb.stats.reset()
    answers = [
        await raw.call("GET", "/invoices/1"),
        await raw.call("GET", "/invoices/999999"),
        await raw.call("GET", "/invoices/1", token="not-a-token"),
        await raw.call("GET", "/quotes/1"),
        await raw.call("GET", "/quotes/1"),
        await raw.call("GET", "/nowhere"),
        await raw.call("POST", "/invoices", data=b"{"),
    ]
    assert [status for status, _, _ in answers] == [200, 404, 401, 503, 429, 404, 400]
    ids = [CIMultiDict(headers)["X-Request-Id"] for _, _, headers in answers]
    assert all(re.fullmatch(r"req_[0-9a-f]{16}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert [r.request_id for r in sb.stats.records] == ids


async def test_expired_sessions_get_401_and_logins_are_counted(sb: Sandbox, fmt: str) -> None:
    tokens = [sb.token, sb.new_token()]
    async with KashFlowClient(
        username=sb.username,
        password=sb.password,
        memorable_word=sb.memorable_word,
        base_url=sb.url,
        wire_format=fmt,
    ) as kf:
        await kf.invoices.get(1)
        assert sb.stats.logins == 1
        sb.expire_tokens()
        for token in tokens:
            async with KashFlowClient(token=token, base_url=sb.url, wire_format=fmt) as fixed:
                with pytest.raises(AuthenticationError) as info:
                    await fixed.invoices.get(1)
            assert (info.value.status, info.value.error) == (401, "InvalidSessionToken")
        assert (await kf.invoices.get(2)).number == 2  # logs in again
    assert sb.stats.logins == 2
    assert sb.stats.requests["PUT /sessiontoken"] == 2
    statuses = [r.status for r in sb.stats.records if r.route == "/invoices/{number}"]
    assert statuses == [200, 401, 401, 401, 200]


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
