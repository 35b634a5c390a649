"""Cancellation and resources: requests cancelled at random moments, and listings left
early, give back every connection, slot and task, warn about nothing, and leave the
client usable."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from kashflow_async import Invoice, InvoiceLine, KashFlowClient, KashFlowError
from kashflow_async.sandbox import Faults, Sandbox

from .conftest import FULL, Volume
from .support import (
    LoopProblems,
    acquired_connections,
    assert_released,
    eventually,
    free_slots,
    other_tasks,
    sandbox_thread,
)

SMALL = {"seed": 11, "quotes": 5, "customers": 8, "purchases": 5}


async def test_cancelling_requests_at_random_moments_leaks_nothing(volume: Volume) -> None:
    rng = random.Random(20240615)
    count = volume.cancelled
    concurrency = 16
    sb = Sandbox(**SMALL, invoices=200)
    problems = LoopProblems()
    with sandbox_thread(sb), problems.watch():
        # latency keeps requests in flight (far longer than the client's own work per
        # request, so that a slow machine still cancels many at the server); 503s put
        # some into their retry backoff
        sb.faults = Faults(latency=0.02, jitter=0.03, error_rate=0.1, error_statuses=(503,), seed=4)
        baseline = other_tasks()
        async with (
            asyncio.timeout(120),
            KashFlowClient(
                username=sb.username,
                password=sb.password,
                memorable_word=sb.memorable_word,
                base_url=sb.url,
                max_concurrency=concurrency,
            ) as kf,
        ):

            def operation(i: int) -> Any:
                kind = rng.random()
                if kind < 0.6:
                    return kf.invoices.get(1 + i % 200)
                if kind < 0.8:
                    return kf.invoices.page(1 + i % 10, perpage=20)
                return kf.invoices.create(
                    Invoice(
                        customer_code="TCUST01",
                        customer_reference=f"cancel-{i}",
                        line_items=[InvoiceLine(quantity=Decimal(1), rate=Decimal("9.99"))],
                    )
                )

            # about how long the lot takes uncancelled: cancel moments spread over it
            horizon = count / concurrency * 0.035
            loop = asyncio.get_running_loop()
            tasks = [loop.create_task(operation(i)) for i in range(count)]
            cancelled_at_random = Counter[str]()
            for task in tasks:
                loop.call_later(rng.uniform(0.0, horizon), task.cancel)
            # the token expires half-way: re-logins race with the cancellations
            loop.call_later(horizon / 2, sb.expire_tokens)

            await asyncio.wait(tasks)
            for task in tasks:
                if task.cancelled():
                    cancelled_at_random["cancelled"] += 1
                elif task.exception() is None:
                    cancelled_at_random["completed"] += 1
                else:
                    exc = task.exception()
                    assert isinstance(exc, KashFlowError), repr(exc)
                    cancelled_at_random[type(exc).__name__] += 1
            # and many were cancelled after reaching the server, before their answer
            arrived = sum(n for r, n in sb.stats.requests.items() if "/invoices" in r)
            answered = cancelled_at_random["completed"] + sb.stats.faults["503"]
            assert arrived - answered > count // 50, (arrived, cancelled_at_random)
            # both kinds happened in numbers: the moments were really random
            assert cancelled_at_random["cancelled"] > count // 10, cancelled_at_random
            assert cancelled_at_random["completed"] > count // 10, cancelled_at_random

            await assert_released(kf, baseline)

            # still usable, re-login included
            sb.expire_tokens()
            again = await asyncio.gather(*(kf.invoices.get(n) for n in range(1, 41)))
            assert [inv.number for inv in again] == list(range(1, 41))
            listed = [inv.number async for inv in kf.invoices.list(perpage=25, concurrency=4)]
            assert listed == sb.state.invoice_numbers()
            await assert_released(kf, baseline)
        assert kf._transport._session is None  # closed by the client
    assert problems.describe() == []
    assert await eventually(lambda: sb.stats.in_flight == 0)


class _Boom(Exception):
    pass


async def settled(count: Callable[[], int], quiet: float = 0.3) -> int:
    """`count()` once it has not changed for `quiet` seconds."""
    value = count()
    while True:
        await asyncio.sleep(quiet)
        again = count()
        if again == value:
            return value
        value = again


@pytest.mark.parametrize("how", ["break", "exception", "aclosing", "timeout"])
async def test_leaving_a_listing_early_releases_everything(how: str) -> None:
    perpage, concurrency = 10, 8
    sb = Sandbox(**SMALL, invoices=3000 if not FULL else 20_000)
    problems = LoopProblems()
    with sandbox_thread(sb), problems.watch():
        sb.faults = Faults(latency=0.01, jitter=0.05, seed=6)
        baseline = other_tasks()
        async with (
            asyncio.timeout(30),
            KashFlowClient(token=sb.token, base_url=sb.url, max_concurrency=16) as kf,
        ):
            sb.stats.reset()
            got: list[int | None] = []
            slow = Faults(latency=3.0)

            async def take(number: int | None) -> None:
                got.append(number)
                if len(got) == 11:
                    # pages asked for from now on take 3 s: left running, they would
                    # hold their connections well past the check below
                    sb.faults = slow
                elif len(got) == 25:
                    await asyncio.sleep(0.2)  # let the pages just asked for reach the server

            if how == "break":
                async for inv in kf.invoices.list(perpage=perpage, concurrency=concurrency):
                    await take(inv.number)
                    if len(got) == 25:
                        break
            elif how == "exception":

                async def consume_until_it_fails() -> None:
                    async for inv in kf.invoices.list(perpage=perpage, concurrency=concurrency):
                        await take(inv.number)
                        if len(got) == 25:
                            raise _Boom

                with pytest.raises(_Boom):
                    await consume_until_it_fails()
            elif how == "aclosing":
                listing = kf.invoices.list(perpage=perpage, concurrency=concurrency)
                async with contextlib.aclosing(listing) as it:
                    async for inv in it:
                        await take(inv.number)
                        if len(got) == 25:
                            break
            else:
                # page 1 at 0.4 s, pages 2-9 at 0.8 s, then 10-17 asked for: in flight
                # when the time runs out at 1.0 s
                sb.faults = Faults(latency=0.4)

                async def consume_everything() -> None:
                    async for inv in kf.invoices.list(perpage=perpage, concurrency=concurrency):
                        got.append(inv.number)

                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(consume_everything(), 1.0)
            if how != "timeout":
                assert got == list(range(1, 26))
            # pages were still in flight when the listing was left (the server is still
            # sleeping on them); the client gave everything back at once all the same
            assert sb.stats.in_flight > 0
            await assert_released(kf, baseline, within=1.0)
            # the server may still be reading requests written before the listing was
            # left; once it has been quiet, count: the pages consumed and those that
            # were in flight at most, nothing asked for afterwards
            seen = await settled(lambda: sb.stats.requests["GET /invoices"])
            assert got
            assert seen <= -(-len(got) // perpage) + 2 * concurrency + 1, (seen, len(got))
            assert acquired_connections(kf) == 0
            assert free_slots(kf) == 16

            # the client is still usable
            sb.faults = Faults()
            page = await kf.invoices.page(2, perpage=perpage)
            assert [inv.number for inv in page.data] == list(range(11, 21))
    assert problems.describe() == []
