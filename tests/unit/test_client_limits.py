"""Client-wide limits: the 429 pause for everyone, the concurrency cap, the rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aioresponses import CallbackResult, aioresponses
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from kashflow_async import Invoice, KashFlowClient, get_codec
from kashflow_async.transport import PauseGate
from kashflow_async.transport.limits import Limits, Slots, bucket

from .helpers import BASE, MEDIA, FakeTime

OK = CallbackResult(body=get_codec("json").encode(Invoice(number=1)), content_type=MEDIA["json"])


async def test_pause_gate_never_shortens_a_pause(fake_time: FakeTime) -> None:
    gate = PauseGate(fake_time.clock, fake_time.sleep)
    assert gate.remaining == 0
    gate.pause(5)
    gate.pause(2)
    assert gate.remaining == 5
    await gate.wait()
    assert fake_time.sleeps == [5]
    assert gate.remaining == 0
    await gate.wait()
    assert fake_time.sleeps == [5]


async def test_429_retry_after_pauses_every_request(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    arrivals: list[tuple[str, float]] = []
    limited = asyncio.Event()

    def record(url: URL, **kwargs: Any) -> CallbackResult:
        arrivals.append((url.path, fake_time.now))
        if url.path.endswith("/1") and not limited.is_set():
            limited.set()
            return CallbackResult(status=429, headers={"Retry-After": "5"})
        return OK

    for n in (1, 2, 3):
        mock.get(f"{BASE}/invoices/{n}", callback=record, repeat=True)
    start = fake_time.now

    async def after_the_429(n: int) -> Invoice:
        await limited.wait()
        return await kf.invoices.get(n)

    await asyncio.gather(kf.invoices.get(1), after_the_429(2), after_the_429(3))
    assert arrivals[0] == ("/v2/invoices/1", start)
    assert len(arrivals) == 4
    for path, when in arrivals[1:]:
        assert when >= start + 5, (path, when)


async def test_concurrency_cap(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(max_concurrency=3)
    in_flight = 0
    peak = 0

    async def slow(url: URL, **kwargs: Any) -> CallbackResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight -= 1
        return OK

    mock.get(f"{BASE}/invoices/1", callback=slow, repeat=True)
    await asyncio.gather(*(kf.invoices.get(1) for _ in range(20)))
    assert peak == 3


async def test_connector_pool_matches_max_concurrency(
    make_client: Callable[..., KashFlowClient],
) -> None:
    kf = make_client(max_concurrency=7)
    assert kf._transport.session.connector is not None
    assert kf._transport.session.connector.limit == 7


async def test_rate_limit_paces_requests_under_the_limit(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(rate_limit=40)
    arrivals: list[float] = []

    def record(url: URL, **kwargs: Any) -> CallbackResult:
        arrivals.append(time.monotonic())
        return OK

    mock.get(f"{BASE}/invoices/1", callback=record, repeat=True)
    await asyncio.gather(*(kf.invoices.get(1) for _ in range(9)))
    # below 100/s there is no burst: every request waits its turn at 97% of the rate, so
    # the k-th can never arrive before k turns have passed (one late arrival on a loaded
    # machine shortens the next gap, never this)
    for k, at in enumerate(arrivals):
        assert at - arrivals[0] >= k / 40 * 0.9
    assert arrivals[-1] - arrivals[0] >= 8 / 40
    assert arrivals[-1] - arrivals[0] < 2.0


@given(st.floats(min_value=0.1, max_value=100_000, allow_nan=False))
def test_the_bucket_never_lets_a_window_exceed_the_rate(rate: float) -> None:
    burst, period = bucket(rate)
    drain = burst / period
    assert burst - 1 + drain < rate  # the most sends any one-second window can hold
    assert drain >= 0.95 * rate  # and the long-run pace stays close to the limit


# -- Slots: the semaphore with a synchronous fast path ---------------------------------------


async def test_slots_are_served_in_arrival_order_and_not_taken_past_waiters() -> None:
    slots = Slots(1)
    assert slots.try_take()
    assert not slots.try_take()
    order: list[int] = []

    async def wait(n: int) -> None:
        await slots.acquire()
        order.append(n)

    waiting = [asyncio.create_task(wait(n)) for n in range(3)]
    await asyncio.sleep(0)
    slots.release()  # goes to the first waiter, not to the free slots
    assert not slots.try_take()
    await asyncio.sleep(0)
    slots.release()
    slots.release()
    await asyncio.gather(*waiting)
    assert order == [0, 1, 2]
    slots.release()
    assert slots._value == 1


async def test_a_waiter_cancelled_while_handed_a_slot_passes_it_on() -> None:
    slots = Slots(1)
    assert slots.try_take()
    first = asyncio.create_task(slots.acquire())
    second = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0)
    slots.release()  # handed to `first` ...
    first.cancel()  # ... which is cancelled before it runs
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.wait_for(second, 1)  # the slot went on to `second`
    assert first.cancelled()
    slots.release()
    assert slots._value == 1 and not slots._waiters


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    slots = Slots(1)
    assert slots.try_take()
    waiter = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert not slots._waiters
    slots.release()
    assert slots.try_take()


async def test_limits_fast_path_only_when_nothing_could_wait(fake_time: FakeTime) -> None:
    free = Limits(max_concurrency=1, rate_limit=None, clock=fake_time.clock, sleep=fake_time.sleep)
    assert free.try_acquire()
    assert not free.try_acquire()  # the one slot is taken
    free.release()
    free.gate.pause(1.0)
    assert not free.try_acquire()  # the gate is closed
    fake_time.now += 1.0
    assert free.try_acquire()
    free.release()
    paced = Limits(max_concurrency=4, rate_limit=5.0, clock=fake_time.clock, sleep=fake_time.sleep)
    assert not paced.try_acquire()  # the rate limiter decides: await acquire()
