"""Benchmark: what coordination costs a request. ``kf.invoices.get(2)`` against the canned
server (another process), at concurrency c, by a plain client and by clients with a
`RedisCoordinator` against a local redis-server: rate only, and rate with in-flight
leases (limits set far above what the run reaches, so that only their cost shows).

Each figure is the median over alternating rounds of wall µs and of this process's CPU
µs per request (the server and redis-server are other processes); the ratios are the
median of the per-round ratios to the plain client, under every event loop installed.

``python -m benchmarks.coordinated [--quick] [--loop L] [--profile NAME]``
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import logging
import pstats
import sys
import time
import tracemalloc
from collections.abc import Sequence
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

from kashflow_async import KashFlowClient
from kashflow_async.coordination import Coordination, RedisCoordinator
from kashflow_async.coordination.testing import RedisServer, redis_server_path

from ._loops import loops, run_on
from ._servers import CannedServer
from ._stats import fmt, paired_ratio, summarize, table
from .overhead import NUMBER, TOKEN, Call, alternating_rounds, documents, drive, warm

__all__ = ["SETTINGS", "main", "render", "run", "targets"]

PLAIN = "plain client"
RATE = "coordinated: rate_limit"
IN_FLIGHT = "coordinated: rate_limit + max_in_flight"
CONTENDERS = (PLAIN, RATE, IN_FLIGHT)
#: the goals: client CPU per request, as a multiple of the plain client's
GOALS = {RATE: 1.25, IN_FLIGHT: 1.35}

SETTINGS: dict[str, dict[str, Any]] = {
    "quick": {"concurrency": 64, "rounds": 2, "target_s": 0.05, "accounts": (1, 10)},
    "full": {"concurrency": 64, "rounds": 8, "target_s": 0.4, "accounts": (1, 10, 100, 1000)},
}
#: admissions per account in the accounts run
ADMITS_PER_ACCOUNT = 20
#: the pool's connection cap in the accounts run
MAX_CONNECTIONS = 50


async def _accounts(redis_url: str, n: int) -> dict[str, float]:
    """N account coordinators over one `Coordination`: memory per account, Redis
    connections, and client CPU per admission (admit + release, every account at once)."""
    warnings = _Count()
    logging.getLogger("kashflow_async.coordination").addHandler(warnings)
    async with Coordination(redis_url, max_connections=MAX_CONNECTIONS) as coordination:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        coords = [
            coordination.account(f"acct-{i}", rate_limit=1_000_000.0, max_in_flight=1_000)
            for i in range(n)
        ]
        made = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()

        async def one(coord: RedisCoordinator) -> None:
            for _ in range(ADMITS_PER_ACCOUNT):
                await coord.admit()
                coord.release()

        await asyncio.gather(*(one(c) for c in coords[: min(n, 10)]))  # warm the pool
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(c) for c in coords))
        for coord in coords:
            await coord.drain()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        connections = len(await coordination.redis.client_list())
        for coord in coords:
            await coord.aclose()
    logging.getLogger("kashflow_async.coordination").removeHandler(warnings)
    admits = n * ADMITS_PER_ACCOUNT
    return {
        "accounts": n,
        "bytes_per_account": (made - before) / n,
        "redis_connections": connections,
        "cpu_us_per_admit": cpu / admits * 1e6,
        "admits_per_s": admits / wall,
        # a command that waited POOL_WAIT_SECONDS for a connection counts as an outage
        "outages": warnings.count,
    }


class _Count(logging.Handler):
    """Counts the coordination's warnings (one per outage)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def _contender(stack: AsyncExitStack, name: str, url: str, redis_url: str, c: int) -> Call:
    coordinator = None
    if name != PLAIN:
        coordinator = await stack.enter_async_context(
            RedisCoordinator(
                redis_url,
                namespace=f"bench-{name}",
                rate_limit=1_000_000.0,
                max_in_flight=100_000 if name == IN_FLIGHT else None,
            )
        )
    kf = await stack.enter_async_context(
        KashFlowClient(token=TOKEN, base_url=url, max_concurrency=c, coordinator=coordinator)
    )
    return partial(kf.invoices.get, NUMBER)


async def _measure(
    url: str, redis_url: str, c: int, rounds: int, target_s: float
) -> dict[str, tuple[list[float], list[float]]]:
    async with AsyncExitStack() as stack:
        calls = {n: await _contender(stack, n, url, redis_url, c) for n in CONTENDERS}
        return await alternating_rounds(calls, c, rounds, target_s)


def run(
    *,
    concurrency: int,
    rounds: int,
    target_s: float,
    accounts: tuple[int, ...] = (),
    loop: str | None = None,
) -> dict[str, Any]:
    """µs/request (wall and client CPU) of each contender under every event loop, and the
    many-accounts figures for each count in `accounts`."""
    results: dict[str, Any] = {
        "concurrency": concurrency,
        "rounds": rounds,
        "loops": {},
        "accounts": {},
    }
    if redis_server_path() is None:
        results["skipped"] = "redis-server is not installed"
        return results
    json_body, xml_body = documents()
    with CannedServer(json_body, xml_body) as server, RedisServer() as redis:
        for loop_name, factory in loops(loop).items():
            samples = run_on(
                factory, partial(_measure, server.url, redis.url, concurrency, rounds, target_s)
            )
            results["loops"][loop_name] = {
                n: {**summarize(wall).as_dict(), "cpu": summarize(cpu).as_dict()}
                for n, (wall, cpu) in samples.items()
            }
            results["accounts"][loop_name] = [
                run_on(factory, partial(_accounts, redis.url, n)) for n in accounts
            ]
    return results


def _ratio(per: dict[str, Any], name: str, cpu: bool) -> float:
    """How many times `name` costs the plain client's (µs over µs; a paired ratio)."""
    ref, own = per[PLAIN], per[name]
    if cpu:
        ref, own = ref["cpu"], own["cpu"]
    return paired_ratio(own, ref)


def render(results: dict[str, Any]) -> str:
    """The Markdown section: one table per event loop."""
    if "skipped" in results:
        return f"Skipped: {results['skipped']}.\n"
    parts = [
        f"`kf.invoices.get(2)` at c={results['concurrency']} against the canned server; "
        f"median of {results['rounds']} alternating rounds; CPU is this process's only.\n"
    ]
    for loop_name, per in results["loops"].items():
        rows = []
        for name in CONTENDERS:
            cells = per[name]
            rows.append(
                [
                    name,
                    fmt(cells["median"]),
                    fmt(cells["cpu"]["median"]),
                    "1" if name == PLAIN else f"{_ratio(per, name, True):.2f}x",
                    "1" if name == PLAIN else f"{_ratio(per, name, False):.2f}x",
                ]
            )
        header = ["path", "wall µs/req", "CPU µs/req", "CPU ratio", "wall ratio"]
        parts.append(f"**{loop_name}**\n\n{table(header, rows)}")
    for loop_name, runs in results.get("accounts", {}).items():
        if not runs:
            continue
        rows = [
            [
                str(r["accounts"]),
                fmt(r["bytes_per_account"] / 1024),
                str(r["redis_connections"]),
                fmt(r["cpu_us_per_admit"]),
                fmt(r["admits_per_s"]),
                str(r.get("outages", 0)),
            ]
            for r in runs
        ]
        header = [
            "accounts",
            "KiB/account",
            "Redis connections",
            "CPU µs/admit",
            "admits/s",
            "pool waits over 5 s",
        ]
        parts.append(
            f"**Many accounts over one pool ({loop_name})**: `Coordination(url, "
            f"max_connections={MAX_CONNECTIONS})`, one coordinator per account, each "
            f"admitting and releasing {ADMITS_PER_ACCOUNT} times, all accounts at once.\n\n"
            + table(header, rows)
        )
    return "\n".join(parts)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The admission goals: client CPU through a coordinator ≤ 1.25x / 1.35x plain."""
    found = []
    for loop_name, per in results.get("loops", {}).items():
        for name, goal in GOALS.items():
            value = _ratio(per, name, True)
            found.append(
                (f"{name} CPU/request ({loop_name})", f"{value:.2f}x ≤ {goal}x", value <= goal)
            )
    return found


async def _profiled(url: str, redis_url: str, name: str, c: int, seconds: float) -> str:
    async with AsyncExitStack() as stack:
        call = await _contender(stack, name, url, redis_url, c)
        count = await warm(call, c, seconds)
        profiler = cProfile.Profile()
        profiler.enable()
        await drive(call, count, c)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coordinated", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--loop", default=None)
    parser.add_argument("--profile", choices=CONTENDERS, default=None)
    args = parser.parse_args(argv)
    settings = SETTINGS["quick" if args.quick else "full"]
    if args.profile:
        json_body, xml_body = documents()
        with CannedServer(json_body, xml_body) as server, RedisServer() as redis:
            factory = next(iter(loops(args.loop).values()))
            c = settings["concurrency"]
            print(run_on(factory, partial(_profiled, server.url, redis.url, args.profile, c, 2.0)))
        return 0
    results = run(**settings, loop=args.loop)
    print(render(results))
    for label, value, ok in targets(results):
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
