"""`create_many`: one result per input whatever fails, bounded concurrency, the
ambiguity rules (lookup by number; never a second POST without one), looking up before
creating, and the exact accounting of interrupted creates (never sent or ambiguous).

The sandbox and client are the package's own pytest fixtures (`kashflow_sandbox`,
`kashflow_client`), configured by markers."""

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
from kashflow_async.sandbox.clock import SystemClock

SMALL = {"seed": 3, "invoices": 20, "quotes": 5, "customers": 5, "today": dt.date(2024, 6, 15)}
#: Both wire formats, as parameters of the `kashflow_client` fixture.
WIRES = pytest.mark.parametrize(
    "wire",
    ["json", pytest.param("xml", marks=pytest.mark.kashflow_client(wire_format="xml"))],
)
pytestmark = pytest.mark.kashflow_sandbox(**SMALL)


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


@WIRES
async def test_every_input_once_failures_included(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    items = [invoice(1000 + i, f"r{i}") for i in range(12)]
    items[4] = Invoice(customer_code="NOSUCH", line_items=[])  # refused: 400
    items[9] = invoice(1, "taken")  # number 1 exists with other content
    results = await collect(kf.invoices.create_many(items, concurrency=3))
    assert sorted(r.index for r in results) == list(range(12))
    bad = {r.index: r.error for r in results if not r.ok}
    assert set(bad) == {4, 9}
    assert isinstance(bad[4], BadRequestError)
    assert isinstance(bad[9], NumberConflictError) and bad[9].field in (
        "customer_code",
        "customer_reference",
    )
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


@WIRES
async def test_async_source_and_quotes(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client

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


@WIRES
async def test_ambiguous_with_number_is_confirmed_by_lookup(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("drop_after",))})
    [result] = await collect(kf.invoices.create_many([invoice(700, "lost reply")]))
    assert result.ok and result.resolved and result.attempts == 1
    assert result.value is not None and result.value.number == 700
    assert sb.stats.requests["POST /invoices"] == 1
    assert sb.state.invoice_count() == 21


@WIRES
async def test_ambiguous_with_number_not_found_is_sent_again(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    sb.faults = Faults(routes={"POST /invoices": FaultRule(script=("drop_before",))})
    [result] = await collect(kf.invoices.create_many([invoice(701, "dropped")]))
    assert result.ok and not result.resolved and result.attempts == 2
    assert sb.stats.requests["POST /invoices"] == 2
    assert sb.state.invoice(701).customer_reference == "dropped"
    assert sb.state.invoice_count() == 21


@WIRES
async def test_ambiguous_without_number_is_never_posted_twice(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
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
    three_in = asyncio.Event()

    class Never:
        calls = 0

        async def create(self, obj: Invoice) -> Invoice:
            Never.calls += 1
            if Never.calls == 3:
                three_in.set()
            await asyncio.Event().wait()
            return obj

        async def get(self, number: int) -> Invoice:
            raise NotFoundError(404)

    many = create_many(Never(), [invoice(None, str(i)) for i in range(6)], concurrency=3)

    async def consume() -> None:
        async for _ in many:
            pass

    task = asyncio.create_task(consume())
    await three_in.wait()  # the three slots are taken, their creates hang
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    rest = await many.cancel()
    assert [r.index for r in rest] == [0, 1, 2]
    assert all(r.ambiguous and r.attempts == 1 for r in rest)  # create was called


class HeldClock(SystemClock):
    """A sandbox clock whose sleeps (the injected latency) hold each request until
    `release` is set; `arrived` counts them and `two_in` is set at the second."""

    def __init__(self) -> None:
        self.arrived = 0
        self.two_in = asyncio.Event()
        self.release = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.arrived += 1
        if self.arrived == 2:
            self.two_in.set()
        await self.release.wait()


async def test_interrupted_creates_never_sent_are_told_from_ambiguous() -> None:
    held = HeldClock()
    sandbox = Sandbox(**SMALL, clock=held, faults=Faults(latency=1.0))  # type: ignore[arg-type]
    async with (
        sandbox as sb,
        KashFlowClient(token=sb.token, base_url=sb.url, max_concurrency=2) as kf,
    ):
        items = [invoice(800 + i, f"held {i}") for i in range(8)]
        many = kf.invoices.create_many(items, concurrency=8)  # 6 wait for a connection slot

        async def consume() -> None:
            async for _ in many:
                pass

        task = asyncio.create_task(consume())
        await held.two_in.wait()  # two POSTs are at the server, held there
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        results = await many.cancel()
        held.release.set()
        assert sorted(r.index for r in results) == list(range(8))
        ambiguous = [r for r in results if r.ambiguous]
        not_sent = [r for r in results if r.not_sent]
        assert len(ambiguous) == 2 and all(r.attempts == 1 for r in ambiguous)
        assert len(not_sent) == 6 and all(r.attempts == 0 for r in not_sent)
        assert all(isinstance(r.error, NotSentError) and r.error.sent is r.item for r in not_sent)
        assert held.arrived == 2
        numbers = sb.state.invoice_numbers()
        assert not {r.item.number for r in not_sent} & set(numbers)


@WIRES
async def test_look_up_first_finds_what_an_earlier_run_created(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    assert kf.wire_format == wire
    earlier = [invoice(900, "numbered"), invoice(None, "unnumbered")]
    done = [r.unwrap() async for r in kf.invoices.create_many(earlier)]
    unnumbered = next(i.number for i in done if i.customer_reference == "unnumbered")
    again = [invoice(900, "numbered"), invoice(None, "unnumbered"), invoice(950, "new")]
    posts = sb.stats.requests["POST /invoices"]
    claimed: set[int] = set()
    results = {
        r.index: r
        async for r in create_many(
            kf.invoices, again, look_up_first=lambda item: item.number != 950, claimed=claimed
        )
    }
    assert results[0].resolved and results[0].attempts == 0 and results[0].unwrap().number == 900
    assert results[1].resolved and results[1].unwrap().number == unnumbered
    assert results[2].ok and not results[2].resolved and results[2].attempts == 1
    assert sb.stats.requests["POST /invoices"] == posts + 1  # only the new one
    assert claimed == {900, unnumbered, 950}  # every number an input holds
    conflict = invoice(900, "numbered", rate="99.00")
    [r] = [r async for r in create_many(kf.invoices, [conflict], look_up_first=lambda _: True)]
    assert isinstance(r.error, NumberConflictError)


def test_bulk_does_not_import_the_resources() -> None:
    """The resources import `bulk`; `bulk` knows a client resource by `reports_sending`."""
    import ast
    from pathlib import Path

    import kashflow_async.bulk as bulk

    for module in Path(bulk.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "resources" not in (node.module or ""), f"{module.name} imports it"
