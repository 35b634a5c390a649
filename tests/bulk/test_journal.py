"""The write-ahead journal of `create_many`: the file journal's records and batched
fsync, what a resumed run does with each record (skip, look up, send again), and the
"number already taken" rule. A crash is simulated here by a journal left with intents
and the server holding what those creates made; the SIGKILL runs are in
``test_crash.py``."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kashflow_async import Invoice, InvoiceLine, KashFlowClient, NumberConflictError
from kashflow_async.bulk import (
    BulkResult,
    FileJournal,
    Outcome,
    content_digest,
    create_many,
    number_taken,
)
from kashflow_async.errors import BadRequestError
from kashflow_async.sandbox import Sandbox

SMALL = {"seed": 3, "invoices": 20, "quotes": 5, "customers": 5, "today": dt.date(2024, 6, 15)}
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


async def collect(it: AsyncIterator[BulkResult[Invoice]]) -> dict[int, BulkResult[Invoice]]:
    return {r.index: r async for r in it}


def refs(sb: Sandbox) -> list[str]:
    state = sb.state
    return [state.invoice(n).customer_reference or "" for n in state.invoice_numbers()]


async def test_file_journal_keeps_the_latest_record_of_each_key(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    async with FileJournal(path) as journal:
        await journal.intend(0, "aa", 1)
        await journal.record(0, "aa", Outcome.CREATED, 501)
        await journal.intend(1, "bb", 1)
        await journal.record(2, "cc", Outcome.FAILED)
        await journal.intend(2, "cc", 2)  # a new attempt replaces the earlier outcome
    with path.open("ab") as f:
        f.write(b'{"key":3,"digest":"dd","att')  # torn by a crash while writing
    async with FileJournal(path) as again:
        latest = await again.read()
    assert set(latest) == {0, 1, 2}
    assert latest[0].outcome is Outcome.CREATED and latest[0].number == 501
    assert latest[1].unresolved and latest[1].attempt == 1
    assert latest[2].unresolved and latest[2].attempt == 2


async def test_intents_are_fsynced_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    async with FileJournal(tmp_path / "j") as journal:
        await asyncio.gather(*(journal.intend(k, "d", 1) for k in range(200)))
        during = len(synced)
    assert 1 <= during < 50  # one fsync serves every intent written while one ran
    assert len(synced) == during + 1  # and one more on close
    assert len(await FileJournal(tmp_path / "j").read()) == 200


async def test_a_closed_file_journal_refuses_writes(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "j")
    await journal.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await journal.intend(0, "d", 1)


def test_number_taken_reads_the_apis_answer() -> None:
    taken = BadRequestError(400, message="Invoice number 80267 is already taken.")
    other = BadRequestError(400, message="Customer code NOSUCH does not exist.")
    assert number_taken(taken)
    assert not number_taken(other)
    assert not number_taken(ValueError("number already taken"))


@WIRES
async def test_number_taken_with_the_same_content_is_already_done(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    await kf.invoices.create(invoice(800, "made before"))
    items = [invoice(800, "made before"), invoice(801, "other", rate="1.00")]
    await kf.invoices.create(invoice(801, "someone else's", rate="2.00"))
    results = await collect(kf.invoices.create_many(items))
    assert results[0].ok and results[0].resolved and results[0].attempts == 1
    assert results[0].value is not None and results[0].value.number == 800
    error = results[1].error
    assert isinstance(error, NumberConflictError) and error.number == 801
    assert error.field == "customer_reference"
    assert refs(sb).count("made before") == 1


class Recording:
    """The client's invoices, noting the order of creates and lookups."""

    def __init__(self, kf: KashFlowClient) -> None:
        self.kf = kf
        self.calls: list[str] = []
        self.reports_sending = True

    async def create(self, obj: Invoice) -> Invoice:
        self.calls.append("create")
        return await self.kf.invoices.create(obj)

    async def get(self, number: int) -> Invoice:
        self.calls.append("get")
        return await self.kf.invoices.get(number)

    def list(self, **kwargs: Any) -> Any:
        self.calls.append("list")
        return self.kf.invoices.list(**kwargs)


@WIRES
async def test_resume_after_a_crash_looks_up_before_sending_anything(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str, tmp_path: Path
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    items = [invoice(900 + i if i % 2 else None, f"job-{i}") for i in range(12)]
    path = tmp_path / "job.journal"
    # the crashed run: 0-3 created and recorded; 4-7 sent (4, 5 applied), no outcome
    async with FileJournal(path) as journal:
        for i in range(8):
            await journal.intend(i, content_digest(items[i]), 1)
        for i in range(6):
            made = await kf.invoices.create(items[i])
            if i < 4:
                await journal.record(i, content_digest(items[i]), Outcome.CREATED, made.number)
    posts = sb.stats.requests["POST /invoices"]

    resource = Recording(kf)
    async with FileJournal(path) as journal:
        results = await collect(create_many(resource, items, concurrency=3, journal=journal))
    assert all(r.ok for r in results.values()), [r.error for r in results.values()]
    assert [results[i].resolved for i in range(12)] == [True] * 6 + [False] * 6
    assert [results[i].attempts for i in range(12)] == [0] * 6 + [1] * 6
    first_create = resource.calls.index("create")
    assert resource.calls[:first_create].count("list") == 2  # 4 and 6: by content
    assert sb.stats.requests["POST /invoices"] - posts == 6  # 6-11 only
    assert sorted(refs(sb)[20:]) == sorted(f"job-{i}" for i in range(12))  # once each

    async with FileJournal(path) as journal:
        latest = await journal.read()
        again = await collect(create_many(resource, items, journal=journal))
    assert all(e.outcome is Outcome.CREATED for e in latest.values())
    assert all(r.ok and r.resolved and r.attempts == 0 for r in again.values())
    assert sb.stats.requests["POST /invoices"] - posts == 6  # nothing sent


@WIRES
async def test_a_changed_input_is_not_taken_for_the_journaled_one(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str, tmp_path: Path
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    before = invoice(None, "first wording")
    async with FileJournal(tmp_path / "j") as journal:
        await journal.intend(0, content_digest(before), 1)
        await journal.record(0, content_digest(before), Outcome.CREATED, 1)
        [result] = (
            await collect(kf.invoices.create_many([invoice(None, "new")], journal=journal))
        ).values()
    assert result.ok and not result.resolved and result.attempts == 1
    assert "new" in refs(sb)


@WIRES
async def test_failed_and_not_sent_inputs_are_sent_again(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str, tmp_path: Path
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    items = [Invoice(customer_code="NOSUCH", line_items=[]), invoice(None, "later")]
    async with FileJournal(tmp_path / "j") as journal:
        first = await collect(kf.invoices.create_many(items[:1], journal=journal))
        await journal.record(1, content_digest(items[1]), Outcome.NOT_SENT)
        entries = await journal.read()
        assert entries[0].outcome is Outcome.FAILED and not first[0].ok
        items[0] = invoice(None, "fixed")  # the operator fixed the input
        again = await collect(kf.invoices.create_many(items, journal=journal))
    assert all(r.ok and r.attempts == 1 for r in again.values())
    assert {"fixed", "later"} <= set(refs(sb))


def test_only_a_refusal_or_no_send_closes_an_intent() -> None:
    from kashflow_async.bulk.attempts import outcome_of_error
    from kashflow_async.bulk.results import NotSentError
    from kashflow_async.errors import AmbiguousResultError, ServerError

    assert outcome_of_error(BadRequestError(400, message="no")) is Outcome.FAILED
    assert outcome_of_error(NumberConflictError(5, "rate")) is Outcome.FAILED
    assert outcome_of_error(NotSentError()) is Outcome.NOT_SENT
    assert outcome_of_error(ServerError(500, message="boom")) is None  # may be applied
    assert outcome_of_error(AmbiguousResultError("lost")) is None


@WIRES
async def test_a_journaled_record_deleted_since_is_created_again(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str, tmp_path: Path
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    item = invoice(950, "deleted since")
    async with FileJournal(tmp_path / "j") as journal:
        [first] = (await collect(kf.invoices.create_many([item], journal=journal))).values()
        await kf.invoices.delete(950)
        [again] = (await collect(kf.invoices.create_many([item], journal=journal))).values()
    assert first.ok and again.ok and not again.resolved and again.attempts == 1
    assert sb.state.invoice(950).customer_reference == "deleted since"


async def test_a_file_journal_serves_one_run_at_a_time(tmp_path: Path) -> None:
    from kashflow_async import InvalidArgumentError

    async with FileJournal(tmp_path / "j") as journal:
        await journal.intend(0, "d", 1)
        with pytest.raises(InvalidArgumentError, match="in use by another run"):
            FileJournal(tmp_path / "j")
    async with FileJournal(tmp_path / "j") as again:  # free once closed
        assert (await again.read())[0].unresolved


def test_the_content_digest_follows_the_content() -> None:
    a, same, other = invoice(None, "x"), invoice(None, "x"), invoice(None, "x", rate="12.51")
    assert content_digest(a) == content_digest(same)
    assert content_digest(a) != content_digest(other)
    dated = Invoice(customer_code="TCUST01", issued_date=dt.datetime(2024, 6, 1, 9, 30))
    assert content_digest(dated) != content_digest(Invoice(customer_code="TCUST01"))


async def test_bad_journal_arguments_are_refused_before_anything_is_sent(tmp_path: Path) -> None:
    from kashflow_async import InvalidArgumentError

    class Never:
        async def create(self, obj: Invoice) -> Invoice:
            raise AssertionError("nothing may be sent")

        async def get(self, number: int) -> Invoice:
            raise AssertionError("nothing may be looked up")

    with pytest.raises(InvalidArgumentError, match="has no read, intend, record"):
        create_many(Never(), [], journal=object())  # type: ignore[arg-type]
    async with FileJournal(tmp_path / "j") as journal:
        with pytest.raises(InvalidArgumentError, match="key must be a function"):
            create_many(Never(), [], journal=journal, key=3)  # type: ignore[arg-type]
        many = create_many(Never(), [invoice(None, "x")], journal=journal, key=str)  # type: ignore[arg-type]
        [result] = (await collect(many)).values()
    assert isinstance(result.error, InvalidArgumentError)
    assert "must return an int" in str(result.error)


@WIRES
async def test_two_inputs_on_one_journal_key_do_not_share_it(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str, tmp_path: Path
) -> None:
    sb, kf = kashflow_sandbox, kashflow_client
    items = [invoice(None, "one"), invoice(None, "two")]
    async with FileJournal(tmp_path / "j") as journal:
        results = await collect(create_many(kf.invoices, items, journal=journal, key=lambda i: 7))
        latest = await journal.read()
    assert results[0].ok
    assert "another input's" in str(results[1].error)
    assert latest[7].digest == content_digest(items[0])
    assert "two" not in refs(sb)


@WIRES
async def test_quotes_create_many_resumes_on_its_journal(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient, wire: str, tmp_path: Path
) -> None:
    from kashflow_async import Quote, QuoteLine

    sb, kf = kashflow_sandbox, kashflow_client
    quotes = [
        Quote(
            number=600 + n,
            customer_code="TCUST01",
            customer_reference=f"quote-{n}",
            line_items=[QuoteLine(description="q", quantity=Decimal(1), rate=Decimal("5.00"))],
        )
        for n in range(6)
    ]
    async with FileJournal(tmp_path / "q") as journal:
        for n in (0, 1):  # the crashed run had sent these two, applied, without outcomes
            await journal.intend(n, content_digest(quotes[n]), 1)
            await kf.quotes.create(quotes[n])
        claimed: set[int] = set()
        many = kf.quotes.create_many(quotes, journal=journal, claimed=claimed)
        results = await collect(many)
    assert all(r.ok for r in results.values())
    assert [results[n].attempts for n in range(6)] == [0, 0, 1, 1, 1, 1]
    made = [sb.state.quote(n).customer_reference for n in sb.state.quote_numbers()]
    assert sorted(r for r in made if r and r.startswith("quote-")) == [
        f"quote-{n}" for n in range(6)
    ]
    assert len(claimed) == 6  # every number this job holds, for later lookups
