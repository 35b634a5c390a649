"""``deadline=``: one bound for a whole call, every attempt, retry wait and admission wait
included; and the hint a 404 gives when the base URL does not end in /v2."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from kashflow_async import (
    AmbiguousResultError,
    DeadlineExceededError,
    InvalidArgumentError,
    Invoice,
    KashFlowClient,
    NotFoundError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from kashflow_async.transport._deadline import (
    acquire_within,
    attempt_timeout,
    deadline_error,
    fits_before,
)
from kashflow_async.transport._failures import root_hint
from kashflow_async.transport.limits import Limits
from tests.support.peers import silent_server

from .helpers import BASE, TOKEN, FakeTime, calls, reply
from .test_client_auth import CREDS, FakeServer

OK_INVOICE = reply("json", Invoice(number=9))


# -- the rules ----------------------------------------------------------------------------


def test_an_attempt_gets_its_own_timeout_or_what_the_deadline_leaves() -> None:
    assert attempt_timeout(10.0, 15.0) == (10.0, False)
    assert attempt_timeout(10.0, 4.5) == (4.5, True)
    assert attempt_timeout(None, 3.0) == (3.0, True)
    assert attempt_timeout(10.0, -1.0) == (0.0, True)


def test_a_wait_fits_only_if_it_ends_before_the_deadline() -> None:
    assert fits_before(100.0, 4.0, 105.0)
    assert not fits_before(100.0, 5.0, 105.0)
    assert not fits_before(106.0, 0.0, 105.0)


def test_the_deadline_error_names_the_limit_and_the_last_attempt() -> None:
    last = ServerError(503, message="busy", method="GET", url=f"{BASE}/invoices/1")
    error = deadline_error(
        deadline=15, method="GET", url=f"{BASE}/invoices/1", attempts=2, last=last
    )
    assert isinstance(error, TransportError)
    assert (error.deadline, error.attempts) == (15, 2)
    assert str(error) == (
        "no success within the call's deadline of 15 s (2 attempts; the last: HTTP 503 busy)"
        f" (GET {BASE}/invoices/1)"
    )


@pytest.mark.parametrize(
    ("base_url", "hint"),
    [
        ("https://api.kashflow.com", True),
        ("https://api.kashflow.com/", True),
        ("https://api.kashflow.com/v1", True),
        ("https://api.kashflow.com/v2", False),
        ("https://api.kashflow.com/v2/", False),
        ("http://127.0.0.1:8080/proxy/v2", False),
    ],
)
def test_a_404_hints_at_a_base_url_without_v2(base_url: str, hint: bool) -> None:
    got = root_hint(base_url, 404)
    assert (got is not None) == hint
    if hint:
        assert got is not None and "does the base URL end in /v2?" in got
    assert root_hint(base_url, 400) is None


async def test_the_404_hint_reaches_the_error(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(base_url="https://api.test")
    mock.get("https://api.test/invoices/1", status=404, body=b"Not Found")
    with pytest.raises(NotFoundError, match=r"does the base URL end in /v2\?"):
        await kf.invoices.get(1)
    ok = make_client()
    mock.get(f"{BASE}/invoices/1", status=404, payload={"Message": "No invoice 1"})
    with pytest.raises(NotFoundError) as caught:
        await ok.invoices.get(1)
    assert caught.value.message == "No invoice 1"


# -- retries stop at the deadline (time under the test's control) -------------------------


async def test_retries_stop_when_the_next_wait_would_pass_the_deadline(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client(deadline=1.0, max_retries=10)
    mock.get(f"{BASE}/invoices/9", status=503, repeat=True)
    with pytest.raises(DeadlineExceededError) as caught:
        await kf.invoices.get(9)
    assert fake_time.sleeps == [0.25, 0.5]  # the next, 1.0 s, would end past 1.0 s
    assert caught.value.attempts == 3
    assert "deadline of 1 s" in str(caught.value)
    assert "the last: HTTP 503" in str(caught.value)
    assert isinstance(caught.value.__cause__, ServerError)


async def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client(deadline=10.0)
    mock.get(f"{BASE}/invoices/9", status=429, headers={"Retry-After": "30"}, repeat=True)
    with pytest.raises(DeadlineExceededError, match="HTTP 429"):
        await kf.invoices.get(9)
    assert fake_time.sleeps == []
    assert len(calls(mock)) == 1


async def test_with_options_sets_and_lifts_the_deadline(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", status=503)
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    with pytest.raises(DeadlineExceededError):
        await kf.with_options(deadline=0.1).invoices.get(9)
    assert (await kf.with_options(deadline=None).invoices.get(9)).number == 9


@pytest.mark.parametrize("bad", [0, -1, float("inf"), "15", True])
def test_a_bad_deadline_is_refused(bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match="deadline must be a positive number"):
        KashFlowClient(token=TOKEN, deadline=bad)  # type: ignore[arg-type]


async def test_with_options_refuses_a_bad_deadline(
    make_client: Callable[..., KashFlowClient],
) -> None:
    with pytest.raises(InvalidArgumentError, match="deadline"):
        make_client().with_options(deadline=-2)


# -- a real silent server -----------------------------------------------------------------


async def test_a_silent_server_fails_at_the_deadline_not_after_every_attempt() -> None:
    policy = RetryPolicy(random=lambda: 0.2)  # 0.1 s before the first retry
    with silent_server() as server:
        async with KashFlowClient(
            token=TOKEN,
            base_url=f"{server.url}/v2",
            timeout=0.4,
            max_retries=3,
            deadline=0.6,
            retry_policy=policy,
        ) as kf:
            with pytest.raises(DeadlineExceededError) as caught:
                await kf.invoices.get(1)
    error = caught.value
    # attempt 1 hits the 0.4 s timeout; attempt 2 is cut by the deadline (or, on a slow
    # machine, the wait before it would already end past it)
    assert error.attempts in (1, 2)
    assert "deadline of 0.6 s" in str(error)
    assert "per-attempt timeout of 0.4 s" in str(error) or error.attempts == 2


async def test_a_post_cut_by_the_deadline_is_ambiguous_and_says_why() -> None:
    with silent_server() as server:
        async with KashFlowClient(
            token=TOKEN, base_url=f"{server.url}/v2", timeout=30, deadline=0.3
        ) as kf:
            with pytest.raises(AmbiguousResultError, match=r"deadline of 0\.3 s") as caught:
                await kf.invoices.create(Invoice(customer_code="X"))
    assert caught.value.sent == Invoice(customer_code="X")


# -- waiting for admission ----------------------------------------------------------------


async def test_a_paused_client_gives_up_at_the_deadline_and_holds_no_slot(
    mock: aioresponses,
) -> None:
    async with KashFlowClient(token=TOKEN, base_url=BASE, max_concurrency=2, deadline=0.05) as kf:
        limits = kf._transport.limits
        limits.pause(60.0)
        with pytest.raises(DeadlineExceededError, match=r"\(0 attempts\)"):
            await kf.invoices.get(9)
        assert calls(mock) == []
        assert limits._semaphore._value == 2  # nothing kept


async def test_acquire_within_takes_gives_up_and_survives_cancellation() -> None:
    limits = Limits(max_concurrency=1, rate_limit=None, clock=lambda: 0.0, sleep=asyncio.sleep)
    assert await acquire_within(limits, 1.0)  # free: taken
    assert not await acquire_within(limits, 0.01)  # held: gives up
    waiter = asyncio.ensure_future(acquire_within(limits, 10.0))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    limits.release()
    assert limits._semaphore._value == 1  # the cancelled waiter took nothing
    assert not await acquire_within(limits, 0.0)


async def test_a_login_under_a_deadline_does_not_wait_for_its_own_slot(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="none-yet")
    server.install(mock)
    kf = make_client(max_concurrency=1, deadline=30.0, **CREDS)
    got = await asyncio.wait_for(kf.invoices.get(4), timeout=10)  # the bound of the test
    assert got.number == 4
    assert server.logins == 1


async def test_a_slow_login_ends_at_the_deadline_and_goes_on_for_the_others(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="none-yet")

    async def slow_login(url: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.5)
        return server.post_login(url, **kwargs)

    mock.post(f"{BASE}/sessiontoken", callback=slow_login, repeat=True)
    server.install(mock)
    kf = make_client(deadline=0.1, **CREDS)
    with pytest.raises(DeadlineExceededError, match=r"\(0 attempts\)"):
        await asyncio.wait_for(kf.invoices.get(1), timeout=10)
    # the login went on: a call without a deadline gets its token, and no second login
    got = await asyncio.wait_for(kf.with_options(deadline=None).invoices.get(2), timeout=10)
    assert got.number == 2
    assert server.logins == 1
