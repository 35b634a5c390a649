"""The JSON decode inside a busy event loop versus the same decode in a tight loop.

Inside: the bare aiohttp loop at concurrency 64 against the canned server, timing each
``codec.decode(body, Invoice)`` call on its own (`perf_counter_ns` around it). Outside: the
same call on the same bytes, timed the same way, back to back. Each is tried with the
garbage collector as it is, frozen after warm-up (`gc.freeze`), with a 10× generation-0
threshold, and off; a GC callback counts the collections that run inside a decode and the
time they take. Isolated variants flush the CPU caches, or block 0.1 ms in the kernel (as
the loop blocks in epoll), before each call.

``python -m benchmarks.inloop [--quick] [--loop L]``
"""

from __future__ import annotations

import argparse
import gc
import select
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack, contextmanager
from functools import partial
from typing import Any

import aiohttp

from kashflow_async.codecs import get_codec
from kashflow_async.models import Invoice
from kashflow_async.transport.transport import USER_AGENT

from ._loops import loops, run_on
from ._servers import CannedServer
from ._stats import fmt, table
from .overhead import NUMBER, TOKEN, documents, drive

__all__ = ["MODES", "brief", "main", "render", "run", "targets"]

#: GC settings tried, each applied after warm-up and undone afterwards
MODES = ("GC as is", "gc.freeze() after warm-up", "gen-0 threshold ×10", "GC off")
ISOLATED = "isolated, tight loop"
FLUSHED = "isolated, caches flushed between calls"
WAITED = "isolated, after a 0.1 ms blocking wait each"
_FLUSH = bytearray(8 * 2**20)  # larger than the L2 and most L3 slices


def _flush() -> None:
    _FLUSH[::64] = _FLUSH[1::64]  # one write per cache line


def _wait() -> None:
    select.select([], [], [], 0.0001)  # blocks in the kernel, as the loop does in epoll


#: what runs before each isolated call, per variant
_BEFORE: dict[str, Callable[[], None] | None] = {ISOLATED: None, FLUSHED: _flush, WAITED: _wait}


@contextmanager
def _gc_mode(mode: str) -> Iterator[None]:
    threshold = gc.get_threshold()
    enabled = gc.isenabled()
    try:
        if mode == "gc.freeze() after warm-up":
            gc.collect()
            gc.freeze()
        elif mode == "gen-0 threshold ×10":
            gc.set_threshold(threshold[0] * 10, *threshold[1:])
        elif mode == "GC off":
            gc.disable()
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()


class _Timed:
    """Times each call of `decode` and the GC collections that run inside one."""

    def __init__(self, decode: Callable[[bytes], Any]) -> None:
        self.decode = decode
        self.ns: list[int] = []
        self.inside = False
        self.collections = 0
        self.everywhere = 0
        self.gc_ns = 0
        self._gc_start = 0

    def __call__(self, body: bytes) -> Any:
        self.inside = True
        start = time.perf_counter_ns()
        value = self.decode(body)
        self.ns.append(time.perf_counter_ns() - start)
        self.inside = False
        return value

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        self.everywhere += phase == "start"
        if not self.inside:
            return
        if phase == "start":
            self.collections += 1
            self._gc_start = time.perf_counter_ns()
        else:
            self.gc_ns += time.perf_counter_ns() - self._gc_start

    def summary(self) -> dict[str, float]:
        n = len(self.ns)
        return {
            "median_us": statistics.median(self.ns) / 1000,
            "mean_us": statistics.fmean(self.ns) / 1000,
            "gc_per_1000": self.collections * 1000 / n,
            "gc_all_per_1000": self.everywhere * 1000 / n,
            "gc_us_per_decode": self.gc_ns / n / 1000,
        }


@contextmanager
def _watch(timed: _Timed) -> Iterator[None]:
    gc.callbacks.append(timed.on_gc)
    try:
        yield
    finally:
        gc.callbacks.remove(timed.on_gc)


async def _in_loop(url: str, c: int, requests: int, rounds: int) -> dict[str, list[Any]]:
    codec = get_codec("json")
    decode = partial(codec.decode, type_=Invoice)
    headers = {
        "Accept": codec.media_type,
        "User-Agent": USER_AGENT,
        "Authorization": "KfToken " + TOKEN,
    }
    target = f"{url}/invoices/{NUMBER}"
    out: dict[str, list[Any]] = {mode: [] for mode in MODES}
    async with AsyncExitStack() as stack:
        session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=c), headers=headers)
        )
        timed = _Timed(decode)

        async def call() -> Invoice:
            async with session.get(target) as resp:
                resp.raise_for_status()
                body = await resp.read()
            return timed(body)  # type: ignore[no-any-return]

        await drive(call, c * 8, c)  # warm: connections, decoder
        for r in range(rounds):
            for mode in MODES if r % 2 == 0 else reversed(MODES):
                timed.ns.clear()
                timed.collections = timed.everywhere = timed.gc_ns = 0
                gc.collect()
                with _gc_mode(mode), _watch(timed):
                    await drive(call, requests, c)
                out[mode].append(timed.summary())
    return out


def _isolated(body: bytes, calls: int, rounds: int) -> dict[str, list[Any]]:
    decode = partial(get_codec("json").decode, type_=Invoice)
    out: dict[str, list[Any]] = {name: [] for name in _BEFORE}
    for _ in range(rounds):
        for name, before in _BEFORE.items():
            timed = _Timed(decode)
            gc.collect()
            with _watch(timed):
                if before is None:
                    for _ in range(calls):
                        timed(body)
                else:
                    for _ in range(calls // 20):
                        before()
                        timed(body)
            out[name].append(timed.summary())
    return out


def _median(samples: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def run(
    *, requests: int, calls: int, rounds: int, c: int = 64, loop: str | None = None
) -> dict[str, Any]:
    """Per-decode time in a c=`c` loop under each GC mode and loop, and in isolation."""
    json_body, xml_body = documents()
    results: dict[str, Any] = {"c": c, "requests": requests, "calls": calls, "rounds": rounds}
    results["isolated"] = {k: _median(v) for k, v in _isolated(json_body, calls, rounds).items()}
    results["loops"] = {}
    with CannedServer(json_body, xml_body) as server:
        for name, factory in loops(loop).items():
            samples = run_on(factory, partial(_in_loop, server.url, c, requests, rounds))
            results["loops"][name] = {mode: _median(v) for mode, v in samples.items()}
    return results


def render(results: dict[str, Any]) -> str:
    """Markdown: per-decode µs and GC inside decodes, in the loop and isolated."""
    iso = results["isolated"][ISOLATED]
    rows = []
    for place, per in (
        *((f"in the loop ({loop})", per) for loop, per in results["loops"].items()),
        ("outside any loop", results["isolated"]),
    ):
        for mode, s in per.items():
            rows.append(
                [
                    f"{place}: {mode}",
                    fmt(s["median_us"]),
                    fmt(s["mean_us"]),
                    f"{s['gc_all_per_1000']:.1f}",
                    f"{s['gc_per_1000']:.1f}",
                    fmt(s["gc_us_per_decode"]),
                    f"{s['median_us'] / iso['median_us']:.2f}",
                    f"{s['mean_us'] / iso['mean_us']:.2f}",
                ]
            )
    intro = (
        "`codec.decode(body, Invoice)` of the overhead benchmark's JSON invoice, each call "
        f"timed on its own: inside the bare aiohttp loop at c={results['c']} "
        f"({results['requests']:,} requests a round), and back to back outside any loop "
        f"({results['calls']:,} calls a round; a twentieth of that with an 8 MiB buffer "
        "rewritten, or a 0.1 ms blocking `select`, before each call); medians over "
        f"{results['rounds']} alternating rounds. "
        "GC runs: collections of any generation while timing (per 1,000 requests or "
        "calls), and those that ran inside a decode, with their time."
    )
    header = [
        "where: GC setting",
        "median µs",
        "mean µs",
        "GC runs per 1,000 requests",
        "of which inside a decode",
        "GC µs per decode",
        "median ÷ isolated",
        "mean ÷ isolated",
    ]
    return intro + "\n\n" + table(header, rows)


def brief(results: dict[str, Any]) -> str:
    """Markdown: one line per loop, in-loop versus isolated medians and what they tell."""
    iso = results["isolated"]
    lines = []
    for loop, per in results["loops"].items():
        s = per[MODES[0]]
        lines.append(
            f"- {loop}: {fmt(s['median_us'])} µs in the loop against "
            f"{fmt(iso[ISOLATED]['median_us'])} µs isolated "
            f"({s['median_us'] / iso[ISOLATED]['median_us']:.2f}×); GC runs inside a decode "
            f"per 1,000: {s['gc_per_1000']:.1f}; with GC off "
            f"{per['GC off']['median_us'] / iso[ISOLATED]['median_us']:.2f}×, frozen "
            f"{per['gc.freeze() after warm-up']['median_us'] / iso[ISOLATED]['median_us']:.2f}×."
        )
    lines.append(
        f"- isolated with the CPU caches flushed between calls: "
        f"{iso[FLUSHED]['median_us'] / iso[ISOLATED]['median_us']:.2f}× the hot tight loop; "
        f"after a 0.1 ms blocking wait each (as the loop waits in epoll): "
        f"{iso[WAITED]['median_us'] / iso[ISOLATED]['median_us']:.2f}×."
    )
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """In-loop decode (GC as is) within 1.3× of the isolated decode, per loop (medians:
    on a shared machine the means carry the preemptions)."""
    iso = results["isolated"][ISOLATED]["median_us"]
    out = []
    for loop, per in results["loops"].items():
        r = per[MODES[0]]["median_us"] / iso
        out.append((f"in-loop JSON decode ≤1.3× isolated ({loop})", f"{r:.2f}×", r <= 1.3))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.inloop``: print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inloop", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small rounds: a smoke test")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), help="one event loop only")
    args = parser.parse_args(argv)
    if args.quick:
        results = run(requests=640, calls=2000, rounds=2, loop=args.loop)
    else:
        results = run(requests=6400, calls=20000, rounds=5, loop=args.loop)
    print(render(results))
    for name, measured, met in targets(results):
        print(f"- {name}: {measured} ({'met' if met else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
