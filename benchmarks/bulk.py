"""Benchmark 5: bulk import under a client rate limit, checked against the arrival times
the sandbox (its own process) recorded; and `create_many`'s throughput with its
write-ahead file journal against without, side by side in the same rounds."""

from __future__ import annotations

import asyncio
import tempfile
import time
from bisect import bisect_left
from decimal import Decimal
from pathlib import Path
from typing import Any

from kashflow_async import KashFlowClient
from kashflow_async.bulk import FileJournal
from kashflow_async.models import Invoice, InvoiceLine

from ._servers import SandboxServer
from ._stats import fmt, summarize, table

__all__ = ["over_limit", "render", "run", "run_journal"]

ROUTE = "POST /invoices"


def over_limit(times: list[float], limit: float, window: float = 1.0) -> tuple[int, int]:
    """(most requests in any `window` seconds, requests that arrived when `limit` others
    had already arrived within the `window` before them)."""
    ordered = sorted(times)
    most = 0
    over = 0
    for i, t in enumerate(ordered):
        in_window = i - bisect_left(ordered, t - window, 0, i) + 1
        most = max(most, in_window)
        if in_window > limit:
            over += 1
    return most, over


def _invoice(i: int, customer_code: str, tag: str = "IMPORT") -> Invoice:
    return Invoice(
        customer_code=customer_code,
        customer_reference=f"{tag}-{i:05d}",
        line_items=[
            InvoiceLine(
                quantity=Decimal(1 + i % 5),
                description=f"Imported line {i}",
                rate=Decimal("49.99"),
                vat_level=Decimal(20),
            )
        ],
    )


async def _import(url: str, token: str, count: int, rate: float) -> float:
    """Create `count` invoices as fast as the client's rate limit allows; wall seconds."""
    async with KashFlowClient(token=token, base_url=url, rate_limit=rate) as kf:
        first = await kf.invoices.page(1, perpage=1)
        code = first.data[0].customer_code or "TCUST01"
        invoices = [_invoice(i, code) for i in range(count)]
        start = time.perf_counter()
        made = await asyncio.gather(*(kf.invoices.create(inv) for inv in invoices))
        elapsed = time.perf_counter() - start
    if len({inv.number for inv in made}) != count:
        raise AssertionError("the import did not create every invoice exactly once")
    return elapsed


async def _create_many(url: str, token: str, count: int, tag: str, journal: Path | None) -> float:
    """Create `count` invoices with `create_many` (16 at once), journaled in the file
    `journal` if given; creates per second."""
    async with KashFlowClient(token=token, base_url=url) as kf:
        items = [_invoice(i, "TCUST01", tag) for i in range(count)]
        start = time.perf_counter()
        if journal is None:
            results = [r async for r in kf.invoices.create_many(items, concurrency=16)]
        else:
            async with FileJournal(journal) as j:
                many = kf.invoices.create_many(items, concurrency=16, journal=j)
                results = [r async for r in many]
        elapsed = time.perf_counter() - start
    if len(results) != count or not all(r.ok for r in results):
        raise AssertionError(f"{tag}: not every invoice was created")
    return count / elapsed


def run_journal(*, count: int, rounds: int) -> dict[str, Any]:
    """`rounds` rounds, each one import of `count` invoices without a journal and one with
    a `FileJournal` (the order alternating); creates per second and the per-round ratio."""
    plain: list[float] = []
    journaled: list[float] = []
    options = {"seed": 5, "invoices": 20, "customers": 5, "quotes": 0, "purchases": 0}
    with SandboxServer(options) as server, tempfile.TemporaryDirectory(dir=".") as tmp:
        asyncio.run(_create_many(server.url, server.token, 50, "WARM", None))
        for r in range(rounds):
            for journal in (False, True) if r % 2 == 0 else (True, False):
                path = Path(tmp) / f"round{r}.journal" if journal else None
                rate = asyncio.run(
                    _create_many(server.url, server.token, count, f"R{r}{journal:d}", path)
                )
                (journaled if journal else plain).append(rate)
    ratios = [j / p for j, p in zip(journaled, plain, strict=True)]
    return {
        "count": count,
        "rounds": rounds,
        "plain": summarize(plain).as_dict(),
        "journal": summarize(journaled).as_dict(),
        "ratio": summarize(ratios).as_dict(),
    }


def run(
    *, count: int, rate: float, rounds: int, journal_count: int = 2000, journal_rounds: int = 6
) -> dict[str, Any]:
    """`rounds` imports of `count` invoices at `rate` requests/s, each with a new client;
    then `run_journal` with `journal_count` and `journal_rounds`."""
    achieved: list[float] = []
    server_rates: list[float] = []
    most: list[int] = []
    over: list[int] = []
    options = {"seed": 5, "invoices": 20, "customers": 5, "quotes": 0, "purchases": 0}
    with SandboxServer(options) as server:
        for _ in range(rounds):
            server.reset()
            elapsed = asyncio.run(_import(server.url, server.token, count, rate))
            times = server.times(ROUTE)
            if len(times) != count:
                raise AssertionError(f"the sandbox saw {len(times)} creates, expected {count}")
            peak, n_over = over_limit(times, rate)
            achieved.append(count / elapsed / rate)
            span = max(times) - min(times)
            server_rates.append((count - 1) / span / rate if span > 0 else 0.0)
            most.append(peak)
            over.append(n_over)
    return {
        "count": count,
        "rate": rate,
        "rounds": rounds,
        "achieved": summarize(achieved).as_dict(),
        "server_rate": summarize(server_rates).as_dict(),
        "max_in_window": most,
        "over_limit": over,
        "journal": run_journal(count=journal_count, rounds=journal_rounds),
    }


def render(results: dict[str, Any]) -> str:
    """Markdown: achieved/configured rate and requests over the limit, per round."""
    a, s = results["achieved"], results["server_rate"]
    rows = [
        [
            "achieved / configured (client wall time)",
            f"{a['median']:.3f}",
            f"{a['p25']:.3f}–{a['p75']:.3f}",
        ],
        [
            "achieved / configured (sandbox arrivals)",
            f"{s['median']:.3f}",
            f"{s['p25']:.3f}–{s['p75']:.3f}",
        ],
        [
            "most requests in any 1 s window (per round)",
            fmt(max(results["max_in_window"])),
            ", ".join(str(x) for x in results["max_in_window"]),
        ],
        [
            "requests over the limit (per round)",
            fmt(sum(results["over_limit"])),
            ", ".join(str(x) for x in results["over_limit"]),
        ],
    ]
    intro = (
        f"{results['count']:,} `invoices.create` calls at once through one client with "
        f"`rate_limit={results['rate']:g}` (default max_concurrency 16), against the sandbox "
        f"in its own process; {results['rounds']} rounds, a new client each. 'Over the "
        "limit' counts requests that reached the sandbox when the limit had already "
        "arrived within the preceding second (from the sandbox's own arrival times)."
    )
    text = intro + "\n\n" + table(["measure", "median / total", "spread / per round"], rows)
    if "journal" in results:
        text += "\n\n" + _render_journal(results["journal"])
    return text


def _render_journal(j: dict[str, Any]) -> str:
    rows = [
        [name, f"{j[key]['median']:.0f}", f"{j[key]['p25']:.0f}–{j[key]['p75']:.0f}"]
        for name, key in (("without journal (creates/s)", "plain"), ("with FileJournal", "journal"))
    ]
    rows.append(
        [
            "with ÷ without (median of per-round ratios)",
            f"{j['ratio']['median']:.3f}",
            f"{j['ratio']['p25']:.3f}–{j['ratio']['p75']:.3f}",
        ]
    )
    intro = (
        f"`kf.invoices.create_many` of {j['count']:,} invoices (concurrency 16) without and "
        f"with a `FileJournal` (an fsync'd intent before each POST), against the sandbox in "
        f"its own process; {j['rounds']} rounds, the order alternating."
    )
    return intro + "\n\n" + table(["measure", "median", "spread"], rows)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """≥0.95 of the configured rate, no request over it."""
    a = results["achieved"]["median"]
    n = sum(results["over_limit"])
    found = [
        ("bulk import ≥0.95 of the configured rate", f"{a:.3f}", a >= 0.95),
        ("bulk import: no request over the limit", f"{n} over", n == 0),
    ]
    if "journal" in results:
        ratio = results["journal"]["ratio"]["median"]
        found.append(("import with the journal ≥0.95 of without", f"{ratio:.3f}", ratio >= 0.95))
    return found
