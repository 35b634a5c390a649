"""The soak: bulk invoice creates and a full listing while the sandbox misbehaves.

1,000 creates (half with explicit numbers) at concurrency 32, then a listing of all
5,000 invoices, while the sandbox answers 10% 503s, drops 5% of connections before and
5% after applying the request, adds latency jitter, and answers 429 bursts with
``Retry-After`` whenever more than a set number of requests arrive within a second.

The creates go through ``create_many``, which looks up the number of an ambiguous
create and sends it again only when it was provably not applied; what stays ambiguous
(creates without a number) is looked up by its content in the next round
(``look_up_first``), and sent again only when it is not there.
Afterwards the sandbox's own state must hold every create exactly once, and the listing
must yield exactly ``TotalRecords`` invoices, in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from kashflow_async import (
    AmbiguousResultError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    RateLimitError,
    ServerError,
    TransportError,
)
from kashflow_async.bulk import create_many
from kashflow_async.sandbox import Faults, Sandbox

from .conftest import FULL, SOAK_SEED, Volume
from .support import acquired_connections, free_slots, sandbox_thread

T = TypeVar("T")

TODAY = dt.date(2024, 6, 15)
CONCURRENCY = 32
#: requests per second the sandbox accepts before answering 429 bursts
RATE_LIMIT = 200
#: errors after which the operation is known not to have been applied
NOT_APPLIED = (ServerError, RateLimitError, TransportError)


def soak_faults(seed: int) -> Faults:
    return Faults(
        latency=0.001,
        jitter=0.01,
        error_rate=0.10,
        error_statuses=(503,),
        drop_before_rate=0.05,
        drop_after_rate=0.05,
        rate_limit=RATE_LIMIT,
        rate_window=1.0,
        seed=seed,
    )


@dataclass(frozen=True)
class Spec:
    """One invoice to create; `tag` (its customer reference) is unique."""

    index: int
    tag: str
    number: int | None
    customer: str
    rate: Decimal

    def invoice(self) -> Invoice:
        return Invoice(
            number=self.number,
            customer_code=self.customer,
            customer_reference=self.tag,
            line_items=[
                InvoiceLine(quantity=Decimal(2), rate=self.rate, description=f"soak {self.index}")
            ],
        )


class RetryLog(logging.Handler):
    """Counts the transport's "retry n of m" records."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "retry" in record.getMessage() and record.levelno == logging.INFO:
            self.retries += 1


async def stubborn(op: Callable[[], Awaitable[T]], attempts: int = 6) -> T:
    """An idempotent read, repeated while the faults keep beating the client's retries."""
    for _ in range(attempts - 1):
        try:
            return await op()
        except AmbiguousResultError:
            raise  # never for a read
        except NOT_APPLIED:
            pass
    return await op()


async def test_soak_creates_and_listing_lose_nothing_and_double_nothing(
    volume: Volume,
) -> None:
    rng = random.Random(SOAK_SEED)
    seeded = volume.listing - volume.creates
    explicit_count = volume.creates // 2
    # Seed more invoices than needed and delete some: the gaps are the explicit numbers
    # (below the highest number, so they never meet the server's automatic numbering).
    sb = Sandbox(
        seed=SOAK_SEED,
        invoices=seeded + explicit_count,
        quotes=5,
        customers=10,
        purchases=5,
        today=TODAY,
    )
    gaps = sorted(rng.sample(range(1, seeded + explicit_count + 1), explicit_count))
    for number in gaps:
        sb.state.delete_invoice(number)
    seeded_numbers = set(sb.state.invoice_numbers())
    assert len(seeded_numbers) == seeded
    highest_seeded = max(seeded_numbers)

    codes = ["TCUST01", "TCUST02", "TEST01"]
    numbers = [*gaps, *([None] * (volume.creates - explicit_count))]
    rng.shuffle(numbers)
    specs = [
        Spec(
            index=i,
            tag=f"soak-{SOAK_SEED}-{i:05d}",
            number=numbers[i],
            customer=rng.choice(codes),
            rate=Decimal(rng.randrange(1, 100_000)).scaleb(-2),
        )
        for i in range(volume.creates)
    ]

    retry_log = RetryLog()
    logger = logging.getLogger("kashflow_async")
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(retry_log)
    report: dict[str, object] = {}
    started = time.monotonic()
    try:
        with sandbox_thread(sb):
            sb.faults = soak_faults(SOAK_SEED)
            sb.stats.reset()
            async with (
                asyncio.timeout(900 if FULL else 90),
                KashFlowClient(
                    token=sb.token, base_url=sb.url, max_concurrency=CONCURRENCY, max_retries=8
                ) as kf,
            ):
                report.update(await _create_all(kf, specs, highest_seeded))
                create_posts = sb.stats.requests["POST /invoices"]
                create_faults = dict(sb.stats.faults)
                create_seconds = time.monotonic() - started

                sb.stats.reset()
                list_started = time.monotonic()
                listing = kf.invoices.list(perpage=100, sortby="Number", order="Asc", concurrency=8)
                listed = [inv.number async for inv in listing]
                list_seconds = time.monotonic() - list_started
                list_gets = sb.stats.requests["GET /invoices"]
                list_faults = dict(sb.stats.faults)

                assert acquired_connections(kf) == 0
                assert free_slots(kf) == CONCURRENCY
    finally:
        logger.removeHandler(retry_log)
        logger.setLevel(old_level)

    # -- every create accounted for exactly once, in the sandbox's own state
    stored, total = sb.state.invoice_page(1, 10 * volume.listing)
    assert total == volume.listing
    by_tag: dict[str, list[Invoice]] = {}
    for inv in stored:
        by_tag.setdefault(inv.customer_reference or "", []).append(inv)
    duplicates = [tag for tag, invs in by_tag.items() if tag.startswith("soak-") and len(invs) > 1]
    losses = [s.tag for s in specs if s.tag not in by_tag]
    assert duplicates == []
    assert losses == []
    created_numbers: set[int] = set()
    for spec in specs:
        (inv,) = by_tag[spec.tag]
        assert inv.customer_code == spec.customer
        assert inv.net_amount == spec.rate * 2
        if spec.number is not None:
            assert inv.number == spec.number
        else:
            assert inv.number is not None and inv.number > highest_seeded
        confirmed = report["confirmed"]
        assert isinstance(confirmed, dict)
        assert confirmed[spec.index] == inv.number
        created_numbers.add(inv.number)
    # nothing else was created, nothing seeded was touched
    assert {inv.number for inv in stored} == seeded_numbers | created_numbers

    # -- the listing: exactly TotalRecords invoices, in order, each once
    assert listing.total_records == volume.listing
    assert len(listed) == volume.listing
    assert all(a < b for a, b in itertools.pairwise(listed))  # type: ignore[operator]
    assert listed == [inv.number for inv in stored]

    outcomes = report["outcomes"]
    assert isinstance(outcomes, Counter)
    figures = {
        "creates": volume.creates,
        "explicit_numbers": explicit_count,
        "create_calls": report["create_calls"],
        "POST_requests_seen_by_server": create_posts,
        "POST_retries_by_client": create_posts - int(report["create_calls"]),  # type: ignore[call-overload]
        "outcomes": dict(outcomes),
        "ambiguous": outcomes["ambiguous"],
        "ambiguous_applied": report["ambiguous_applied"],
        "ambiguous_not_applied_resent": report["ambiguous_not_applied"],
        "lookups_by_test": report["lookups"],
        "resolution_rounds": report["rounds"],
        "create_phase_faults": create_faults,
        "create_phase_seconds": round(create_seconds, 2),
        "listing_total_records": listing.total_records,
        "listing_items": len(listed),
        "listing_pages": -(-volume.listing // 100),
        "listing_GET_requests": list_gets,
        "listing_retries": list_gets - -(-volume.listing // 100),
        "listing_faults": list_faults,
        "listing_seconds": round(list_seconds, 2),
        "retries_logged_by_client": retry_log.retries,
        "duplicates": len(duplicates),
        "losses": len(losses),
        "wall_seconds": round(time.monotonic() - started, 2),
    }
    print("\nSOAK " + json.dumps(figures, sort_keys=True))
    # the faults really happened, in both phases
    assert outcomes["ambiguous"] > 0
    assert create_faults.get("503", 0) > 0 and create_faults.get("429", 0) > 0
    assert create_faults.get("drop_before", 0) > 0 and create_faults.get("drop_after", 0) > 0
    assert list_gets > -(-volume.listing // 100)


async def _create_all(
    kf: KashFlowClient, specs: list[Spec], highest_seeded: int
) -> dict[str, object]:
    """Create every spec once with `create_many`, round after round: it resolves an
    ambiguous create that carries a number by looking the number up; a spec left
    ambiguous (or whose lookup failed) is looked up first in the next round
    (``look_up_first``: by number, or by content among the numbers not yet claimed) and
    sent again only when it is not there. Returns what happened."""
    confirmed: dict[int, int] = {}
    outcomes: Counter[str] = Counter()
    create_calls = ambiguous_applied = ambiguous_not_applied = lookups = 0
    unsure: set[int] = set()  # specs whose earlier create may have been applied
    claimed: set[int] = set()
    pending = list(specs)
    rounds = 0
    while pending:
        rounds += 1
        assert rounds <= 10, f"{len(pending)} creates still unresolved after 10 rounds"
        again: list[Spec] = []
        items = [s.invoice() for s in pending]
        first = {id(item) for item, s in zip(items, pending, strict=True) if s.index in unsure}
        lookups += len(first)
        batch = create_many(
            kf.invoices,
            items,
            concurrency=CONCURRENCY,
            look_up_first=lambda item, first=first: id(item) in first,  # type: ignore[misc]
            claimed=claimed,
        )
        async with batch:
            async for result in batch:
                spec = pending[result.index]
                looked_up = id(result.item) in first
                create_calls += result.attempts
                # every POST after the first followed an ambiguous one that a lookup
                # proved not applied
                outcomes["ambiguous"] += max(0, result.attempts - 1)
                ambiguous_not_applied += max(0, result.attempts - 1)
                if result.ok:
                    inv = result.unwrap()
                    if result.resolved:
                        ambiguous_applied += 1
                        outcomes[
                            "resolved_by_lookup" if looked_up else "resolved_by_create_many"
                        ] += 1
                        if not looked_up:
                            outcomes["ambiguous"] += 1
                    else:
                        ambiguous_not_applied += looked_up
                        outcomes["created"] += 1
                    assert inv.customer_reference == spec.tag
                    if spec.number is not None:
                        assert inv.number == spec.number
                    assert inv.number is not None
                    confirmed[spec.index] = inv.number
                    claimed.add(inv.number)
                    unsure.discard(spec.index)
                elif result.ambiguous:
                    outcomes["ambiguous"] += 1
                    error = result.error
                    assert isinstance(error, AmbiguousResultError)
                    assert isinstance(error.sent, Invoice)
                    assert error.sent.customer_reference == spec.tag
                    unsure.add(spec.index)
                    again.append(spec)
                elif isinstance(result.error, NOT_APPLIED):
                    # the create, or the lookup before it, failed: try again (an unsure
                    # spec stays unsure)
                    outcomes[type(result.error).__name__] += 1
                    again.append(spec)
                else:
                    raise AssertionError(f"create {spec.tag}: {result.error!r}") from result.error
        assert batch.started == len(pending)
        pending = again
    return {
        "confirmed": confirmed,
        "outcomes": outcomes,
        "create_calls": create_calls,
        "ambiguous_applied": ambiguous_applied,
        "ambiguous_not_applied": ambiguous_not_applied,
        "lookups": lookups,
        "rounds": rounds,
    }
