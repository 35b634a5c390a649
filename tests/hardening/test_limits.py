"""Client-wide limits under load: one re-login for a crowd of expired requests, the 429
pause, and the concurrency cap under a thousand queued requests."""

from __future__ import annotations

import asyncio
import time

import pytest

from kashflow_async import KashFlowClient
from kashflow_async.sandbox import FaultRule, Faults, Sandbox

from .conftest import Volume
from .support import acquired_connections, free_slots, sandbox_thread

SMALL = {"seed": 5, "invoices": 60, "quotes": 5, "customers": 8, "purchases": 5}


@pytest.mark.parametrize("expiry", ["server-side expiry", "idle timeout"])
@pytest.mark.parametrize("max_concurrency", [16, None])
async def test_a_crowd_meeting_an_expired_token_logs_in_once(
    volume: Volume, expiry: str, max_concurrency: int | None
) -> None:
    crowd = volume.expired
    idle = 0.5 if expiry == "idle timeout" else 1200.0
    sb = Sandbox(**SMALL, token_idle_timeout=idle, memorable_word="ledgerbook")
    with sandbox_thread(sb):
        sb.faults = Faults(latency=0.002, jitter=0.01, seed=1)
        async with (
            asyncio.timeout(60),
            KashFlowClient(
                username=sb.username,
                password=sb.password,
                memorable_word=sb.memorable_word,
                base_url=sb.url,
                max_concurrency=max_concurrency or crowd,
            ) as kf,
        ):
            assert (await kf.invoices.get(1)).number == 1
            assert sb.stats.requests["POST /sessiontoken"] == 1
            first_token = kf._transport.auth.current
            if expiry == "idle timeout":
                await asyncio.sleep(idle + 0.2)
            else:
                sb.expire_tokens()
            assert first_token is not None and not sb.sessions.is_live(first_token)
            sb.stats.reset()

            numbers = [1 + i % 60 for i in range(crowd)]
            results = await asyncio.gather(*(kf.invoices.get(n) for n in numbers))

            assert [inv.number for inv in results] == numbers
            # one new login (two steps), however many requests met the expired token
            assert sb.stats.requests["POST /sessiontoken"] == 1
            assert sb.stats.requests["PUT /sessiontoken"] == 1
            new_token = kf._transport.auth.current
            assert new_token is not None and new_token != first_token
            assert sb.sessions.is_live(new_token)
            gets = sb.stats.requests["GET /invoices/{number}"]
            # every request of the crowd took the old token (it was current when they
            # started), so each met the 401 and was replayed exactly once
            assert gets == 2 * crowd
            assert acquired_connections(kf) == 0
            assert free_slots(kf) == kf._transport.limits.max_concurrency


async def test_a_429_burst_pauses_the_whole_client() -> None:
    """After the first 429 of a burst (``Retry-After: 1``) the sandbox sees no request
    until the second has passed, except the few already in flight when it was sent."""
    concurrency = 8
    ok_first, burst, total = 40, 10, 400
    retry_after = 1.0
    route = "GET /invoices/{number}"
    sb = Sandbox(**SMALL)
    with sandbox_thread(sb):
        sb.faults = Faults(
            latency=0.001,
            jitter=0.004,
            routes={
                route: FaultRule(
                    latency=0.001,
                    jitter=0.004,
                    script=("ok",) * ok_first + ("429",) * burst,
                    retry_after=retry_after,
                )
            },
            seed=3,
        )
        sb.stats.reset()
        async with (
            asyncio.timeout(30),
            KashFlowClient(token=sb.token, base_url=sb.url, max_concurrency=concurrency) as kf,
        ):
            numbers = [1 + i % 60 for i in range(total)]
            results = await asyncio.gather(*(kf.invoices.get(n) for n in numbers))
            assert [inv.number for inv in results] == numbers
            gate = kf._transport.limits.gate
            assert gate.remaining == 0

    assert sb.stats.faults["429"] == burst
    times = sb.stats.times(route)
    assert len(times) == total + burst  # each 429 retried once
    first_429 = times[ok_first]
    in_window = [t - first_429 for t in times if first_429 < t < first_429 + retry_after]
    # only requests already in flight when the 429 went out may arrive, and only at once
    assert len(in_window) <= concurrency - 1
    assert all(dt < 0.25 for dt in in_window), in_window
    # the rest was held, not finished before: most requests came after the pause
    after = [t for t in times if t >= first_429 + retry_after]
    assert len(after) >= total - ok_first - burst - concurrency
    assert times[-1] - times[0] >= retry_after


async def test_the_concurrency_cap_holds_under_a_thousand_queued_requests(
    volume: Volume,
) -> None:
    cap = 8
    sb = Sandbox(**SMALL)
    with sandbox_thread(sb):
        # latency keeps requests in flight; 503s add retries competing for the slots
        sb.faults = Faults(
            latency=0.002, jitter=0.01, error_rate=0.1, error_statuses=(503,), seed=9
        )
        sb.stats.reset()
        async with (
            asyncio.timeout(120),
            KashFlowClient(
                token=sb.token, base_url=sb.url, max_concurrency=cap, max_retries=6
            ) as kf,
        ):
            numbers = [1 + i % 60 for i in range(volume.queued)]
            started = time.monotonic()
            gets = asyncio.gather(*(kf.invoices.get(n) for n in numbers))
            # a listing that asks for more pages at once than the client allows in flight
            listing = [inv.number async for inv in kf.invoices.list(perpage=2, concurrency=40)]
            results = await gets
            elapsed = time.monotonic() - started
            assert [inv.number for inv in results] == numbers
            assert listing == list(range(1, 61))
            assert acquired_connections(kf) == 0
            assert free_slots(kf) == cap
    assert sb.stats.max_in_flight <= cap
    assert sb.stats.max_in_flight == cap  # the cap was reached, so it was what held
    assert sb.stats.faults["503"] > 0
    assert sb.stats.in_flight == 0
    assert elapsed < 110
