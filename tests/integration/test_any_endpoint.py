"""``kf.request`` against the sandbox over loopback HTTP, in both wire formats: the same
answers, retries, 429 waits and re-logins as ``kf.invoices.get``, and plain bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kashflow_async import (
    InvalidArgumentError,
    Invoice,
    KashFlowClient,
    RetryPolicy,
    ServerError,
)
from kashflow_async.sandbox import FakeClock, FaultRule, Faults, Sandbox

from .conftest import SMALL

Get = Callable[[KashFlowClient, int], Awaitable[Invoice]]


def via_resource(kf: KashFlowClient, n: int) -> Awaitable[Invoice]:
    return kf.invoices.get(n)


def via_request(kf: KashFlowClient, n: int) -> Awaitable[Invoice]:
    return kf.request("GET", f"/invoices/{n}", cast_to=Invoice)


BOTH = pytest.mark.parametrize("get", [via_resource, via_request], ids=["resource", "request"])


async def test_a_model_answer_is_the_resources_own(kf: KashFlowClient, fmt: str) -> None:
    by_request = await kf.request("GET", "/invoices/3", cast_to=Invoice)
    assert by_request == await kf.invoices.get(3)
    plain = await kf.request("GET", "/invoices/3")
    assert isinstance(plain, dict)
    number = plain["Number"]
    assert number == (3 if fmt == "json" else "3")  # XML text says no type
    assert plain["CustomerCode"] == by_request.customer_code


@BOTH
async def test_a_503_is_retried(get: Get, sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(routes={"GET /invoices/{number}": FaultRule(script=("503",))})
    assert (await get(kf, 2)).number == 2
    assert [r.status for r in sb.stats.records] == [503, 200]


@BOTH
async def test_a_429_waits_its_retry_after(get: Get, fmt: str) -> None:
    clock = FakeClock()
    async with Sandbox(**SMALL, clock=clock) as sb:
        sb.faults = Faults(
            routes={"GET /invoices/{number}": FaultRule(script=("429",), retry_after=2)}
        )
        policy = RetryPolicy(clock=clock.now, sleep=clock.sleep)
        async with KashFlowClient(
            token=sb.token, base_url=sb.url, wire_format=fmt, retry_policy=policy
        ) as kf:
            assert (await get(kf, 1)).number == 1
        assert clock.sleeps == [2.0]
        assert [r.status for r in sb.stats.records] == [429, 200]


@BOTH
async def test_an_expired_session_logs_in_again_once(get: Get, sb: Sandbox, fmt: str) -> None:
    async with KashFlowClient(
        username=sb.username,
        password=sb.password,
        memorable_word=sb.memorable_word,
        base_url=sb.url,
        wire_format=fmt,
    ) as kf:
        assert (await get(kf, 1)).number == 1
        sb.expire_tokens()
        assert (await get(kf, 2)).number == 2
    assert sb.stats.logins == 2
    statuses = [r.status for r in sb.stats.records if r.route == "/invoices/{number}"]
    assert statuses == [200, 401, 200]


async def test_a_plain_body_creates_and_a_500_post_is_not_resent(
    sb: Sandbox, kf: KashFlowClient, fmt: str
) -> None:
    fields = {"CustomerCode": "TCUST01", "CustomerReference": "by kf.request"}
    body: Any = fields if fmt == "json" else {"Invoice": fields}
    created = await kf.request("POST", "/invoices", body=body, cast_to=Invoice)
    assert created.customer_reference == "by kf.request"
    assert (await kf.invoices.get(created.number)).customer_code == "TCUST01"
    count = sb.state.invoice_count()
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("500",))})
    with pytest.raises(ServerError):
        await kf.request("POST", "/invoices", body=body)
    assert sb.stats.requests["POST /invoices"] == 2
    assert sb.state.invoice_count() == count


async def test_a_path_outside_the_base_url_never_leaves(sb: Sandbox, kf: KashFlowClient) -> None:
    with pytest.raises(InvalidArgumentError, match="leaves the base URL"):
        await kf.request("GET", "/../sessiontoken")
    assert list(sb.stats.records) == []
