"""Benchmark 4: list every invoice from the sandbox (its own process, injected latency):
a sequential NextPageUrl walk versus `list()` with fan-out 1, 4 and 8."""

from __future__ import annotations

import asyncio
import random
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from kashflow_async import KashFlowClient
from kashflow_async.codecs import get_codec
from kashflow_async.models import Invoice, Page
from kashflow_async.transport.transport import USER_AGENT

from ._servers import SandboxServer
from ._stats import fmt, summarize, table

__all__ = ["render", "run"]

PERPAGE = 100
FANOUTS = (1, 4, 8)
SEQUENTIAL = "sequential NextPageUrl walk"

#: a consumer sees each invoice once; it keeps a count, a checksum and, at `mark`
#: invoices, the peak traced memory so far
Consume = Callable[[Invoice], None]
Lister = Callable[[str, str, Consume], Awaitable[None]]


async def _sequential(url: str, token: str, consume: Consume) -> None:
    """What existing clients do: GET page 1, then follow ``MetaData.NextPageUrl``."""
    codec = get_codec("json")
    page_type: Any = Page[Invoice]
    headers = {
        "Accept": codec.media_type,
        "User-Agent": USER_AGENT,
        "Authorization": f"KfToken {token}",
    }
    next_url: str | None = f"{url}/invoices?page=1&perpage={PERPAGE}"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
        while next_url:
            async with session.get(next_url, headers=headers) as resp:
                resp.raise_for_status()
                body = await resp.read()
            page = codec.decode(body, page_type)
            for inv in page.data:
                consume(inv)
            next_url = page.meta.next_page_url if page.data else None


def _fanout(concurrency: int) -> Lister:
    async def list_all(url: str, token: str, consume: Consume) -> None:
        async with KashFlowClient(token=token, base_url=url, max_concurrency=16) as kf:
            async for inv in kf.invoices.list(perpage=PERPAGE, concurrency=concurrency):
                consume(inv)

    return list_all


def _listers() -> dict[str, Lister]:
    out: dict[str, Lister] = {SEQUENTIAL: _sequential}
    for k in FANOUTS:
        out[f"list() fan-out {k}"] = _fanout(k)
    return out


class _Tally:
    """Counts invoices, checks their order, and samples peak traced memory at `mark`."""

    def __init__(self, mark: int) -> None:
        self.count = 0
        self.last = 0
        self.mark = mark
        self.peak_at_mark = 0

    def __call__(self, inv: Invoice) -> None:
        self.count += 1
        number = inv.number or 0
        if number <= self.last:
            raise AssertionError("invoices out of order")
        self.last = number
        if self.count == self.mark and tracemalloc.is_tracing():
            self.peak_at_mark = tracemalloc.get_traced_memory()[1]


async def _timed(lister: Lister, url: str, token: str, expected: int) -> float:
    tally = _Tally(0)
    start = time.perf_counter()
    await lister(url, token, tally)
    elapsed = time.perf_counter() - start
    if tally.count != expected:
        raise AssertionError(f"listed {tally.count} invoices, expected {expected}")
    return elapsed


async def _traced(lister: Lister, url: str, token: str, expected: int) -> tuple[int, int]:
    """Peak traced memory after a quarter of the invoices and at the end (bytes)."""
    tally = _Tally(max(1, expected // 4))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await lister(url, token, tally)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return tally.peak_at_mark, peak


def run(*, invoices: int, latency: float, rounds: int, seed: int = 0) -> dict[str, Any]:
    """Wall time (interleaved rounds) and peak memory (one traced run) per contender."""
    listers = _listers()
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {name: [] for name in listers}
    memory: dict[str, dict[str, int]] = {}
    options = {"seed": 3, "invoices": invoices, "customers": 40, "quotes": 0, "purchases": 0}
    with SandboxServer(options, {"latency": latency}) as server:

        async def main() -> None:
            order = list(listers)
            for name in order:  # warm up (and check every contender lists everything)
                await _timed(listers[name], server.url, server.token, invoices)
            for _ in range(rounds):
                rng.shuffle(order)
                for name in order:
                    samples[name].append(
                        await _timed(listers[name], server.url, server.token, invoices)
                    )
            for name in listers:
                quarter, full = await _traced(listers[name], server.url, server.token, invoices)
                memory[name] = {"peak_quarter": quarter, "peak_all": full}

        asyncio.run(main())
    return {
        "invoices": invoices,
        "perpage": PERPAGE,
        "latency_ms": latency * 1000,
        "rounds": rounds,
        "seconds": {name: summarize(v).as_dict() for name, v in samples.items()},
        "memory": memory,
    }


def render(results: dict[str, Any]) -> str:
    """Markdown: wall time (median, IQR), speed-up over the sequential walk, peak memory."""
    seq = results["seconds"][SEQUENTIAL]["median"]
    rows = []
    for name, s in results["seconds"].items():
        mem = results["memory"][name]
        rows.append(
            [
                name,
                fmt(s["median"]),
                f"{fmt(s['p25'])}–{fmt(s['p75'])}",
                f"{seq / s['median']:.2f}",
                f"{mem['peak_quarter'] / 2**20:.2f}",
                f"{mem['peak_all'] / 2**20:.2f}",
            ]
        )
    intro = (
        f"List {results['invoices']:,} invoices ({results['perpage']} per page) from the "
        f"sandbox in its own process with {results['latency_ms']:.0f} ms injected latency "
        f"per request; {results['rounds']} interleaved rounds. Each invoice is consumed "
        "and dropped. Peak memory: tracemalloc in a separate traced run (tracing slows the "
        f"run), after {results['invoices'] // 4:,} invoices and after all of them; equal "
        "values mean memory is bounded by the pages in flight, not by the invoice count."
    )
    header = [
        "contender",
        "wall s (median)",
        "IQR",
        "× sequential",
        f"peak MiB after {results['invoices'] // 4:,}",
        f"peak MiB after {results['invoices']:,}",
    ]
    return intro + "\n\n" + table(header, rows)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Fan-out 4 ≥3×, fan-out 8 ≥5× the sequential walk; memory bounded."""
    seq = results["seconds"][SEQUENTIAL]["median"]
    out = []
    for k, goal in ((4, 3.0), (8, 5.0)):
        speed = seq / results["seconds"][f"list() fan-out {k}"]["median"]
        out.append(
            (f"pagination fan-out {k} ≥{goal:.0f}× sequential", f"{speed:.2f}×", speed >= goal)
        )
    grow = max(m["peak_all"] / max(1, m["peak_quarter"]) for m in results["memory"].values())
    out.append(
        (
            "pagination peak memory bounded (peak after all / after a quarter)",
            f"{grow:.2f}×",
            grow <= 1.25,
        )
    )
    return out
