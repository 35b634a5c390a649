"""`create_many`: one result per input whatever fails, bounded concurrency, and the
ambiguity rules (lookup by number; never a second POST without one)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest

from kashflow_async import (
    AmbiguousResultError,
    BadRequestError,
    BulkResult,
    InvalidArgumentError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    NotFoundError,
    NumberConflictError,
    Quote,
    QuoteLine,
)
from kashflow_async.bulk import MAX_CREATE_ROUNDS, NotSentError, create_many, same_content
from kashflow_async.sandbox import FaultRule, Faults, Sandbox

SMALL = {"seed": 3, "invoices": 20, "quotes": 5, "customers": 5, "today": dt.date(2024, 6, 15)}


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(**SMALL) as sandbox:  # type: ignore[arg-type]
        yield sandbox


@pytest.fixture
async def kf(sb: Sandbox, fmt: str) -> AsyncIterator[KashFlowClient]:
    async with KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt) as client:
        yield client


def invoice(n: int | None, ref: str, rate: str = "12.50") -> Invoice:
    return Invoice(
        number=n,
        customer_code="TCUST01",
        customer_reference=ref,
        line_items=[
            InvoiceLine(description=f"item {ref}", quantity=Decimal(2), rate=Decimal(rate))
        ],
    )


async def collect(it: AsyncIterator[BulkResult[Invoice]]) -> list[BulkResult[Invoice]]:
    return [r async for r in it]


async def test_every_input_once_failures_included(sb: Sandbox, kf: KashFlowClient) -> None:
    items = [invoice(1000 + i, f"r{i}") for i in range(12)]
    items[4] = Invoice(customer_code="NOSUCH", line_items=[])  # refused: 400
    items[9] = invoice(1, "taken")  # number 1 exists: 400
    results = await collect(kf.invoices.create_many(items, concurrency=3))
    assert sorted(r.index for r in results) == list(range(12))
    bad = {r.index: r.error for r in results if not r.ok}
    assert set(bad) == {4, 9}
    assert all(isinstance(e, BadRequestError) for e in bad.values())
    for r in results:
        assert r.item is items[r.index]
        if r.ok:
            assert r.value is not None and r.value.number == 1000 + r.index
            assert sb.state.invoice(1000 + r.index).customer_reference == f"r{r.index}"
    assert sb.state.invoice_count() == 20 + 10


async def test_concurrency_is_bounded_and_the_source_read_lazily() -> None:
    in_flight = peak = taken = 0

    class Slow:
        async def create(self, obj: Invoice) -> Invoice:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.005)
            in_flight -= 1
            return obj

        async def get(self, number: int) -> Invoice:
            raise AssertionError("no lookup expected")

    def source() -> Iterator[Invoice]:
        nonlocal taken
        for i in range(40):
            taken += 1
            assert taken - done <= 4 + 1, "the source must only be read when a slot is free"
            yield invoice(None, str(i))

    done = 0
    async for _ in create_many(Slow(), source(), concurrency=4):
        done += 1
    assert done == 40
    assert peak == 4


async def test_async_source_and_quotes(sb: Sandbox, kf: KashFlowClient) -> None:
    async def source() -> AsyncIterator[Quote]:
        for i in range(5):
            yield Quote(
                number=500 + i,
                customer_code="TCUST01",
                line_items=[QuoteLine(description="q", quantity=Decimal(1), rate=Decimal("9.99"))],
            )

    results = [r async for r in kf.quotes.create_many(source(), concurrency=2)]
    assert sorted(r.index for r in results) == [0, 1, 2, 3, 4]
    assert all(r.ok for r in results)
    assert sb.state.quote(502).line_items[0].rate == Decimal("9.99")  # type: ignore[index]


async def test_ambiguous_with_number_is_confirmed_by_lookup(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("drop_after",))})
    [result] = await collect(kf.invoices.create_many([invoice(700, "lost reply")]))
    assert result.ok and result.resolved and result.attempts == 1
    assert result.value is not None and result.value.number == 700
    assert sb.stats.requests["POST /invoices"] == 1
    assert sb.state.invoice_count() == 21


async def test_ambiguous_with_number_not_found_is_sent_again(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("drop_before",))})
    [result] = await collect(kf.invoices.create_many([invoice(701, "dropped")]))
    assert result.ok and not result.resolved and result.attempts == 2
    assert sb.stats.requests["POST /invoices"] == 2
    assert sb.state.invoice(701).customer_reference == "dropped"
    assert sb.state.invoice_count() == 21


async def test_ambiguous_without_number_is_never_posted_twice(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("drop_after",))})
    [result] = await collect(kf.invoices.create_many([invoice(None, "no number")]))
    assert result.ambiguous and isinstance(result.error, AmbiguousResultError)
    assert sb.stats.requests["POST /invoices"] == 1
    assert sb.state.invoice_count() == 21  # it was applied: which is why no retry


class Scripted:
    """A resource whose creates are always ambiguous; `found` is what lookups return."""

    def __init__(self, found: Invoice | None) -> None:
        self.found = found
        self.posts = 0

    async def create(self, obj: Invoice) -> Invoice:
        self.posts += 1
        raise AmbiguousResultError("lost", sent=obj)

    async def get(self, number: int) -> Invoice:
        if self.found is None:
            raise NotFoundError(404, message="no such invoice")
        return self.found


async def test_lookup_with_other_content_is_a_conflict() -> None:
    res = Scripted(invoice(5, "someone else's", rate="99.00"))
    [result] = [r async for r in create_many(res, [invoice(5, "mine")])]
    assert isinstance(result.error, NumberConflictError)
    assert result.error.number == 5
    assert res.posts == 1


async def test_resends_are_bounded() -> None:
    res = Scripted(None)
    [result] = [r async for r in create_many(res, [invoice(5, "never lands")])]
    assert isinstance(result.error, NotSentError)  # each POST proved not applied
    assert result.not_sent and not result.ambiguous
    assert res.posts == MAX_CREATE_ROUNDS == result.attempts


async def test_cancel_accounts_for_every_started_input() -> None:
    release = asyncio.Event()

    class Blocking:
        async def create(self, obj: Invoice) -> Invoice:
            if obj.customer_reference != "0":
                await release.wait()
            return obj

        async def get(self, number: int) -> Invoice:
            raise NotFoundError(404)

    many = create_many(Blocking(), (invoice(None, str(i)) for i in range(10)), concurrency=4)
    first = await many.__anext__()
    assert first.ok and first.index == 0
    rest = await many.cancel()
    assert [r.index for r in rest] == [1, 2, 3]  # the slot of #0 is refilled only on demand
    assert all(isinstance(r.error, AmbiguousResultError) for r in rest)
    assert many.started == 4
    assert [r async for r in many] == []


async def test_source_error_after_the_started_inputs() -> None:
    class Echo:
        async def create(self, obj: Invoice) -> Invoice:
            return obj

        async def get(self, number: int) -> Invoice:
            raise NotFoundError(404)

    def source() -> Iterator[Invoice]:
        yield invoice(None, "a")
        yield invoice(None, "b")
        raise OSError("disk gone")

    seen: list[int] = []

    async def consume() -> None:
        async for r in create_many(Echo(), source()):
            seen.append(r.index)

    with pytest.raises(OSError, match="disk gone"):
        await consume()
    assert sorted(seen) == [0, 1]


def test_bad_concurrency_is_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        create_many(Scripted(None), [], concurrency=0)


def test_same_content_compares_what_was_sent() -> None:
    sent = invoice(3, "ref")
    found = Invoice(
        number=3,
        customer_code="tcust01",
        customer_reference="ref",
        net_amount=Decimal("25.0000"),
        line_items=[
            InvoiceLine(
                number=1, description="item ref", quantity=Decimal("2.0000"), rate=Decimal("12.5")
            )
        ],
    )
    assert same_content(sent, found)
    other = Invoice(**{**{f: getattr(found, f) for f in Invoice.__struct_fields__}})
    other.line_items = [InvoiceLine(description="item ref", quantity=Decimal(3), rate=Decimal(1))]
    assert not same_content(sent, other)


async def test_cancelling_the_consumer_keeps_the_in_flight_results() -> None:
    class Never:
        async def create(self, obj: Invoice) -> Invoice:
            await asyncio.Event().wait()
            return obj

        async def get(self, number: int) -> Invoice:
            raise NotFoundError(404)

    many = create_many(Never(), [invoice(None, str(i)) for i in range(6)], concurrency=3)

    async def consume() -> None:
        async for _ in many:
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    rest = await many.cancel()
    assert [r.index for r in rest] == [0, 1, 2]
    assert all(r.ambiguous for r in rest)
