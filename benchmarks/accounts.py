"""Benchmark 7: many accounts, one process. N = 1, 10, 100, 1,000 accounts served by one
process against the multi-account sandbox (in its own process), each account with its
own rate limit at the sandbox (429 beyond it) and its own client, all clients on ONE
aiohttp session.

Two set-ups per N, under asyncio and uvloop: 'one pool' gives each account a coordinator
from one `Coordination` (one Redis connection pool for every namespace); 'no Redis'
gives each client its own `rate_limit` instead (the per-process baseline). Measured over
a timed phase after every account's first request: aggregate throughput (successful
requests per second, beside what the accounts' limits allow), this process's CPU time per
request (the admission CPU is what the pool set-up costs beyond the baseline), memory per
account (traced allocations of its client and coordinator, after a first request), the
sockets this process holds open at the end of the phase, the Redis connections, and how many aiohttp
connectors and Redis pools existed.

Alone: ``python -m benchmarks.accounts [--quick] [--loop L]`` prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

import aiohttp

from kashflow_async import KashFlowClient, KashFlowError
from kashflow_async.coordination import Coordination
from kashflow_async.coordination.testing import RedisServer, redis_server_path
from kashflow_async.sandbox import AccountConfig

from ._loops import loops, run_on
from ._servers import SandboxServer
from ._stats import fmt, table

__all__ = ["MODES", "SETTINGS", "main", "render", "run", "targets"]

POOL = "one pool"
PLAIN = "no Redis"
MODES = (POOL, PLAIN)
#: Each coordinator's (or client's) share of its account's limit at the sandbox: the
#: requests of up to 1,000 accounts share one event loop, so a request can reach the
#: sandbox some milliseconds after its admission; this keeps that from making a 429.
HEADROOM = 0.9
#: the one aiohttp connector's connection limit
CONNECTIONS = 100
#: the one Redis pool's connection limit
MAX_CONNECTIONS = 32
#: how long a Redis command may wait for a free connection of the pool (seconds): with
#: a thousand accounts on one busy loop, the pool's default (1 s) can pass while Redis is
#: fine, and such a wait then counts as an outage
POOL_WAIT = 5.0


def _sockets() -> int:
    """Sockets this process holds open (Linux: /proc/self/fd; 0 elsewhere)."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return 0
    count = 0
    for name in names:
        try:
            count += os.readlink(f"/proc/self/fd/{name}").startswith("socket:")
        except OSError:
            pass
    return count


class _Warnings(logging.Handler):
    """Counts the coordination's warnings (an outage: limits fell back to per process)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _alive(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, kind))


async def _one(
    url: str, tokens: Sequence[str], mode: str, redis_url: str, rate: float, duration: float
) -> dict[str, Any]:
    """One timed phase: len(tokens) accounts, each calling ``invoices.get`` at its rate."""
    from redis.asyncio import ConnectionPool

    n = len(tokens)
    counts = {"ok": 0, "failed": 0}
    warnings = _Warnings()
    coordination_log = logging.getLogger("kashflow_async.coordination")
    coordination_log.addHandler(warnings)
    async with AsyncExitStack() as stack:
        stack.callback(coordination_log.removeHandler, warnings)
        base_sockets = _sockets()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONNECTIONS))
        )
        coordination = None
        if mode == POOL:
            coordination = await stack.enter_async_context(
                Coordination(redis_url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT)
            )
        clients = []
        for i, token in enumerate(tokens):
            options: dict[str, Any] = {"rate_limit": rate * HEADROOM}
            if coordination is not None:
                coord = await stack.enter_async_context(
                    coordination.account(f"bench-{i}", rate_limit=rate * HEADROOM)
                )
                options = {"coordinator": coord}
            kf = await stack.enter_async_context(
                KashFlowClient(token=token, base_url=url, session=session, **options)
            )
            clients.append(kf)
        await asyncio.gather(*(kf.invoices.get(1) for kf in clients))  # a first request each
        memory = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        connectors = _alive(aiohttp.BaseConnector)
        pools = _alive(ConnectionPool)

        deadline = time.perf_counter() + duration

        async def account(kf: KashFlowClient) -> None:
            while time.perf_counter() < deadline:
                try:
                    await kf.invoices.get(1)
                    counts["ok"] += 1
                except KashFlowError:
                    counts["failed"] += 1

        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(account(kf) for kf in clients))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        sockets = _sockets() - base_sockets  # keep-alive: the phase's connections are open
        redis_connections = len(await coordination.redis.client_list()) if coordination else 0
    requests = counts["ok"] + counts["failed"]
    return {
        "accounts": n,
        "throughput": counts["ok"] / wall,
        "allowed": n * rate,
        "failed": counts["failed"],
        "cpu_us": cpu / max(1, requests) * 1e6,
        "memory_per_account": memory / n,
        "sockets": sockets,
        "redis_connections": redis_connections,
        "connectors": connectors,
        "redis_pools": pools,
        "redis_warnings": warnings.count,
    }


async def _flush(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushall()
    finally:
        await client.aclose()


#: figures that are the median over rounds; the others are the most (counts of things
#: open) or the total (events) over rounds
_MEDIAN = ("throughput", "allowed", "cpu_us", "memory_per_account")
_TOTAL = ("failed", "rate_limited", "redis_warnings")


def combine(rounds_of: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One set of figures per set-up from its rounds (medians, most, totals); the pool's
    admission CPU is the median over rounds of its CPU per request less the baseline's in
    the same round."""
    combined: dict[str, dict[str, Any]] = {}
    for mode, rounds in rounds_of.items():
        figures = {key: max(r[key] for r in rounds) for key in rounds[0]}
        figures.update({key: statistics.median(r[key] for r in rounds) for key in _MEDIAN})
        figures.update({key: sum(r[key] for r in rounds) for key in _TOTAL})
        figures["rounds"] = len(rounds)
        combined[mode] = figures
    pairs = zip(rounds_of[POOL], rounds_of[PLAIN], strict=True)
    combined[POOL]["admission_us"] = statistics.median(a["cpu_us"] - b["cpu_us"] for a, b in pairs)
    return combined


def run(
    *,
    accounts: Sequence[int],
    rate: float,
    duration: float,
    rounds: int = 1,
    loop: str | None = None,
) -> dict[str, Any]:
    """Every N of `accounts` in both set-ups, `rounds` times `duration` seconds each (in
    alternating order), every account limited to `rate` requests per second at the
    sandbox, under every event loop."""
    if redis_server_path() is None:
        return {"skipped": "redis-server is not installed"}
    most = max(accounts)
    options = {
        "invoices": 3,
        "quotes": 0,
        "customers": 3,
        "purchases": 0,
        "accounts": AccountConfig.numbered(most, rate_limit=max(1, round(rate))),
    }
    results: dict[str, Any] = {
        "accounts": list(accounts),
        "rate": rate,
        "duration": duration,
        "rounds": rounds,
        "headroom": HEADROOM,
        "connections": CONNECTIONS,
        "max_connections": MAX_CONNECTIONS,
        "pool_wait": POOL_WAIT,
        "loops": {},
    }
    with RedisServer() as redis, SandboxServer(options) as server:
        tokens = server.tokens()
        for loop_name, factory in loops(loop).items():
            per_n: dict[str, Any] = {}
            for n in accounts:
                rounds_of: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
                for r in range(rounds):
                    for mode in MODES if r % 2 == 0 else MODES[::-1]:
                        print(
                            f"[accounts] {loop_name} N={n} {mode} round {r + 1}/{rounds} ...",
                            file=sys.stderr,
                            flush=True,
                        )
                        time.sleep(1.1)  # the sandbox's one-second windows start empty
                        server.reset()
                        one = partial(_one, server.url, tokens[:n], mode, redis.url, rate, duration)
                        figures = run_on(factory, one)
                        figures["rate_limited"] = server.rate_limited()
                        rounds_of[mode].append(figures)
                        run_on(factory, partial(_flush, redis.url))
                per_n[str(n)] = combine(rounds_of)
            results["loops"][loop_name] = per_n
    return results


def render(results: dict[str, Any]) -> str:
    """Markdown: per loop, one row per N and set-up."""
    if "skipped" in results:
        return f"Skipped: {results['skipped']}."
    intro = (
        f"N accounts in one process, each limited to {results['rate']:g} requests per second "
        "at the multi-account sandbox (its own process; 429 beyond), each with its own "
        f"client calling `invoices.get` for {results['duration']:g} s "
        f"({results.get('rounds', 1)} rounds, set-ups in alternating order; medians), "
        "all clients on one "
        f"aiohttp session (connector limit {results['connections']}). 'One pool': each "
        "account's coordinator comes from one `Coordination` (one Redis pool, "
        f"max_connections={results['max_connections']}, "
        f"timeout={results.get('pool_wait', 1.0):g} s to wait for one), rate "
        f"{results['headroom']:g} × the account's limit; 'no Redis': each client's own "
        "`rate_limit` at the same rate. Throughput: successful requests per second, all "
        "accounts together, beside what their limits allow. CPU: this process's CPU time "
        "per request; admission: what the pool costs beyond 'no Redis' (median over rounds "
        "of the difference in the same round). Memory: traced "
        "allocations per account (client + coordinator, after a first request). Outages: "
        "warnings that the coordination fell back to per-process limits."
    )
    parts = [intro]
    header = [
        "N × set-up",
        "req/s (limits)",
        "CPU µs/req",
        "admission µs/req",
        "KiB/account",
        "sockets",
        "Redis conns",
        "connectors / pools",
        "429s",
        "outages",
    ]
    for loop_name, per_n in results["loops"].items():
        rows = []
        for n in results["accounts"]:
            by_mode = per_n[str(n)]
            for mode in MODES:
                r = by_mode[mode]
                admission = fmt(r["admission_us"]) if mode == POOL else "–"
                rows.append(
                    [
                        f"{n:,} × {mode}",
                        f"{fmt(r['throughput'])} ({fmt(r['allowed'])})",
                        fmt(r["cpu_us"]),
                        admission,
                        fmt(r["memory_per_account"] / 1024),
                        str(r["sockets"]),
                        str(r["redis_connections"]),
                        f"{r['connectors']} / {r['redis_pools']}",
                        str(r["rate_limited"]),
                        str(r.get("redis_warnings", 0)),
                    ]
                )
        parts.append(f"**{loop_name}**\n\n" + table(header, rows))
    return "\n\n".join(parts)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """At the largest N with the pool: one connector, one Redis pool of at most
    max_connections connections; no 429 in any run with the pool."""
    if "skipped" in results:
        return []
    most = str(max(results["accounts"]))
    found = []
    for loop_name, per_n in results["loops"].items():
        r = per_n[most][POOL]
        found.append(
            (
                f"accounts ({loop_name}): N={int(most):,} on one connector and one Redis pool "
                f"of ≤ {results['max_connections']} connections",
                f"{r['connectors']} connector, {r['redis_pools']} pool, "
                f"{r['redis_connections']} connections",
                r["connectors"] == 1
                and r["redis_pools"] == 1
                and r["redis_connections"] <= results["max_connections"],
            )
        )
    limited = sum(
        by_mode[POOL]["rate_limited"]
        for per_n in results["loops"].values()
        for by_mode in per_n.values()
    )
    found.append(("accounts: no 429 with the pool at any N", f"{limited} × 429", limited == 0))
    return found


SETTINGS = {
    "quick": {"accounts": (1, 10), "rate": 5.0, "duration": 0.5, "loop": "asyncio"},
    "full": {"accounts": (1, 10, 100, 1000), "rate": 5.0, "duration": 2.0, "rounds": 2},
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run alone: print the tables and the targets."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accounts")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default=None)
    args = parser.parse_args(argv)
    settings: dict[str, Any] = {**SETTINGS["quick" if args.quick else "full"]}
    if args.loop is not None:
        settings["loop"] = args.loop
    results = run(**settings)
    print(render(results))
    for name, measured, met in targets(results):
        print(f"- {name}: {measured} ({'met' if met else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
