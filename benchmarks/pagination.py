"""Benchmark 3: list every invoice from a server answering canned, pre-encoded pages after
a fixed latency (its own process), so that the client's ordering and scheduling are what
get timed: a sequential NextPageUrl walk versus `list()` with fan-out 1, 4, 8 and 16,
under every event loop installed; peak memory at several invoice counts."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

import aiohttp

from kashflow_async import KashFlowClient
from kashflow_async.codecs import get_codec
from kashflow_async.models import Invoice, Page
from kashflow_async.transport.transport import USER_AGENT

from ._loops import loops, run_on
from ._servers import CannedPages
from ._stats import fmt, summarize, table

__all__ = ["brief", "render", "run", "targets"]

PERPAGE = 100
FANOUTS = (1, 4, 8, 16)
GOALS = {8: 6.0, 16: 10.0}  # fan-out: speed-up over the sequential walk
SEQUENTIAL = "sequential NextPageUrl walk"

#: a consumer sees each invoice once
Consume = Callable[[Invoice], None]
Lister = Callable[[Consume], Awaitable[None]]
TOKEN = "benchmark-token"


async def _sequential(stack: AsyncExitStack, url: str) -> Lister:
    """What existing clients do: GET page 1, then follow ``MetaData.NextPageUrl``."""
    codec = get_codec("json")
    page_type: Any = Page[Invoice]
    headers = {
        "Accept": codec.media_type,
        "User-Agent": USER_AGENT,
        "Authorization": f"KfToken {TOKEN}",
    }
    session = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), headers=headers)
    )

    async def walk(consume: Consume) -> None:
        next_url: str | None = f"{url}/invoices?page=1&perpage={PERPAGE}"
        while next_url:
            async with session.get(next_url) as resp:
                resp.raise_for_status()
                body = await resp.read()
            page = codec.decode(body, page_type)
            for inv in page.data:
                consume(inv)
            next_url = page.meta.next_page_url if page.data else None

    return walk


async def _fanout(stack: AsyncExitStack, url: str, concurrency: int) -> Lister:
    kf = await stack.enter_async_context(
        KashFlowClient(token=TOKEN, base_url=url, max_concurrency=max(FANOUTS))
    )

    async def list_all(consume: Consume) -> None:
        async for inv in kf.invoices.list(perpage=PERPAGE, concurrency=concurrency):
            consume(inv)

    return list_all


NAMES = (SEQUENTIAL, *(f"list() fan-out {k}" for k in FANOUTS))


async def _open(stack: AsyncExitStack, name: str, url: str) -> Lister:
    """Contender `name` listing from `url`, its session open until `stack` closes."""
    if name == SEQUENTIAL:
        return await _sequential(stack, url)
    return await _fanout(stack, url, int(name.rsplit(" ", 1)[1]))


class _Tally:
    """Counts invoices and checks their order."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0

    def __call__(self, inv: Invoice) -> None:
        self.count += 1
        number = inv.number or 0
        if number <= self.last:
            raise AssertionError("invoices out of order")
        self.last = number


async def _list(lister: Lister, expected: int) -> None:
    tally = _Tally()
    await lister(tally)
    if tally.count != expected:
        raise AssertionError(f"listed {tally.count} invoices, expected {expected}")


async def _time_all(server: CannedPages, invoices: int, rounds: int) -> dict[str, list[float]]:
    """Wall seconds of each listing of `invoices`, warm sessions, alternating order."""
    async with AsyncExitStack() as stack:
        listers = {name: await _open(stack, name, server.base(invoices)) for name in NAMES}
        for lister in listers.values():  # warm up (and check each lists everything in order)
            await _list(lister, invoices)
        samples: dict[str, list[float]] = {name: [] for name in NAMES}
        for r in range(rounds):
            for name in NAMES if r % 2 == 0 else reversed(NAMES):
                start = time.perf_counter()
                await _list(listers[name], invoices)
                samples[name].append(time.perf_counter() - start)
    return samples


async def _peak(name: str, url: str, invoices: int) -> int:
    """Peak traced memory (bytes) over one listing, after a warm-up listing."""
    async with AsyncExitStack() as stack:
        lister = await _open(stack, name, url)
        await _list(lister, invoices)
        gc.collect()
        tracemalloc.start()
        try:
            await _list(lister, invoices)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


async def _memory_all(
    server: CannedPages, counts: tuple[int, ...], repeats: int
) -> dict[str, dict[str, int]]:
    """Highest peak of `repeats` traced listings, per contender and invoice count (the
    peak of one listing depends on how many pages happen to finish in one loop step, so
    the highest of several is what bounds it)."""
    out: dict[str, dict[str, int]] = {}
    for name in NAMES:
        out[name] = {
            str(n): max([await _peak(name, server.base(n), n) for _ in range(repeats)])
            for n in counts
        }
    return out


def run(
    *,
    invoices: tuple[int, ...],
    latency: float,
    rounds: int,
    repeats: int = 3,
    loop: str | None = None,
) -> dict[str, Any]:
    """Wall time (alternating rounds, the largest count, every loop) and peak memory
    (the highest of `repeats` traced runs per count, asyncio) per contender."""
    largest = max(invoices)
    results: dict[str, Any] = {
        "invoices": largest,
        "counts": list(invoices),
        "perpage": PERPAGE,
        "latency_ms": latency * 1000,
        "rounds": rounds,
        "repeats": repeats,
        "loops": {},
    }
    factories = loops(loop)
    with CannedPages(invoices, PERPAGE, latency) as server:
        for name, factory in factories.items():
            samples = run_on(factory, partial(_time_all, server, largest, rounds))
            results["loops"][name] = {n: summarize(v).as_dict() for n, v in samples.items()}
        results["memory"] = run_on(
            next(iter(factories.values())), partial(_memory_all, server, invoices, repeats)
        )
    return results


def render(results: dict[str, Any]) -> str:
    """Markdown: wall time (median, IQR) and speed-up per loop; peak memory per count."""
    pages = -(-results["invoices"] // results["perpage"])
    parts = [
        f"List {results['invoices']:,} invoices ({pages} pages of {results['perpage']}) "
        "from a server in its own process that answers pre-encoded pages after "
        f"{results['latency_ms']:.0f} ms each, so the client's scheduling is what is "
        f"timed; sessions opened and warmed before timing; {results['rounds']} rounds in "
        "alternating order. Each invoice is "
        "consumed (its order checked) and dropped. The ideal fan-out k takes about "
        f"1 + ⌈{pages - 1}/k⌉ latencies.",
    ]
    for loop, seconds in results["loops"].items():
        seq = seconds[SEQUENTIAL]["median"]
        rows = [
            [
                name,
                fmt(s["median"]),
                f"{fmt(s['p25'])}–{fmt(s['p75'])}",
                f"{seq / s['median']:.2f}",
            ]
            for name, s in seconds.items()
        ]
        header = ["contender", "wall s (median)", "IQR", "× sequential"]
        parts.append(f"**Event loop: {loop}**\n\n" + table(header, rows))
    counts = results["counts"]
    rows = []
    for name, per in results["memory"].items():
        peaks = [per[str(n)] for n in counts]
        rows.append(
            [name, *(f"{p / 2**20:.2f}" for p in peaks), f"{peaks[-1] / max(1, peaks[0]):.2f}"]
        )
    header = [
        "contender",
        *(f"peak MiB, {n:,} invoices" for n in counts),
        f"{counts[-1]:,} ÷ {counts[0]:,}",
    ]
    parts.append(
        "**Peak memory** (tracemalloc, the highest of "
        f"{results['repeats']} traced listings per invoice count, each after a warm-up "
        "listing; flat means bounded "
        "by the pages in flight, not by the invoice count)\n\n" + table(header, rows)
    )
    return "\n\n".join(parts)


def brief(results: dict[str, Any]) -> str:
    """Markdown: one compact table, wall seconds (× sequential) per loop, peak memory."""
    loops_ = results["loops"]
    last = str(results["counts"][-1])
    header = [
        "contender",
        *(f"{loop} s (× sequential)" for loop in loops_),
        f"peak MiB ({int(last):,} invoices)",
    ]
    rows = []
    for name in results["memory"]:
        row = [name]
        for seconds in loops_.values():
            s = seconds[name]["median"]
            row.append(f"{fmt(s)} ({seconds[SEQUENTIAL]['median'] / s:.2f}×)")
        row.append(f"{results['memory'][name][last] / 2**20:.2f}")
        rows.append(row)
    return table(header, rows)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Fan-out 8 ≥6×, 16 ≥10× the sequential walk (per loop); memory flat."""
    out = []
    for loop, seconds in results["loops"].items():
        seq = seconds[SEQUENTIAL]["median"]
        for k, goal in GOALS.items():
            speed = seq / seconds[f"list() fan-out {k}"]["median"]
            out.append(
                (
                    f"pagination fan-out {k} ≥{goal:.0f}× sequential ({loop})",
                    f"{speed:.2f}×",
                    speed >= goal,
                )
            )
    first, last = str(results["counts"][0]), str(results["counts"][-1])
    grow = max(per[last] / max(1, per[first]) for per in results["memory"].values())
    out.append(
        (
            "pagination peak memory flat (peak at the largest ÷ at the smallest count)",
            f"{grow:.2f}×",
            grow <= 1.25,
        )
    )
    return out
