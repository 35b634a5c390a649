"""Benchmark 6: many processes, one account. N worker processes (1, 2, 4, 8), each with
its own client, against one sandbox that enforces an account rate R, with and without a
shared `RedisCoordinator`; and the cost of admission against a local Redis beside the
in-process limiter. Needs `redis-server` (the benchmark starts its own).

Alone: ``python -m benchmarks.shared_limit [--quick] [--out DIR]`` prints the tables and
writes ``shared_limit.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from kashflow_async import KashFlowClient, KashFlowError
from kashflow_async.coordination import RedisCoordinator
from kashflow_async.coordination.testing import RedisServer, redis_server_path
from kashflow_async.sandbox import Faults, Sandbox
from kashflow_async.transport.limits import Limits

from ._stats import fmt, summarize, table

__all__ = ["chart", "render", "run", "targets"]

ROUTE = "GET /invoices/{number}"
MODES = ("coordinated", "per process")


@dataclass(frozen=True)
class _Job:
    base_url: str
    credentials: tuple[str, str, str]
    rate: float
    redis_url: str | None  # None: no coordinator, the client's own rate_limit=R
    start_at: float
    duration: float
    concurrency: int = 4


def _work(job: _Job) -> dict[str, int]:
    return asyncio.run(_worker(job))


async def _worker(job: _Job) -> dict[str, int]:
    user, password, word = job.credentials
    coord = (
        RedisCoordinator(job.redis_url, namespace="bench", rate_limit=job.rate)
        if job.redis_url is not None
        else None
    )
    counts = {"ok": 0, "failed": 0}
    async with KashFlowClient(
        username=user,
        password=password,
        memorable_word=word,
        base_url=job.base_url,
        rate_limit=None if coord is not None else job.rate,
        coordinator=coord,
    ) as kf:
        await asyncio.sleep(max(0.0, job.start_at - time.time()))
        deadline = job.start_at + job.duration

        async def loop() -> None:
            while time.time() < deadline:
                try:
                    await kf.invoices.get(1)
                    counts["ok"] += 1
                except KashFlowError:
                    counts["failed"] += 1

        await asyncio.gather(*(loop() for _ in range(job.concurrency)))
    if coord is not None:
        await coord.aclose()
    return counts


def _warm_up(seconds: float) -> None:
    time.sleep(seconds)


async def _one_run(
    pool: ProcessPoolExecutor, n: int, rate: float, duration: float, redis_url: str | None
) -> dict[str, Any]:
    async with Sandbox(faults=Faults(rate_limit=int(rate))) as sb:
        job = _Job(
            base_url=sb.url,
            credentials=(sb.username, sb.password, sb.memorable_word),
            rate=rate,
            redis_url=redis_url,
            start_at=time.time() + 1.0,
            duration=duration,
        )
        loop = asyncio.get_running_loop()
        outcomes = await asyncio.gather(*(loop.run_in_executor(pool, _work, job) for _ in range(n)))
        served = [r.arrived for r in sb.stats.records if r.key == ROUTE and r.status == 200]
        span = served[-1] - served[0] if len(served) > 1 else 0.0
        return {
            "share": (len(served) - 1) / span / rate if span > 0 else 0.0,
            "max_in_window": sb.stats.max_rate(1.0),
            "rate_limited": sb.stats.rate_limited,
            "logins": sb.stats.logins,
            "failed": sum(o["failed"] for o in outcomes),
        }


async def _admission(redis_url: str, count: int, rounds: int) -> dict[str, Any]:
    """µs per admit + release: client limits alone, with the in-process rate limiter, and
    through a coordinator (rate only; rate and in-flight leases)."""
    huge = 1e9  # a rate never reached: the cost of the check, not of waiting

    def limits(rate: float | None, shared: Any = None) -> Limits:
        return Limits(
            max_concurrency=16,
            rate_limit=rate,
            clock=time.monotonic,
            sleep=asyncio.sleep,
            shared=shared,
        )

    async def timed(lim: Limits, settle: Any = None) -> float:
        start = time.perf_counter()
        for _ in range(count):
            await lim.acquire()
            lim.release()
        if settle is not None:
            await settle()  # the releases still in flight count too
        return (time.perf_counter() - start) / count * 1e6

    results: dict[str, list[float]] = {
        "no shared limits, no rate limit": [],
        "in-process rate limiter": [],
        "coordinator: rate (1 round trip)": [],
        "coordinator: rate + in-flight (2 round trips)": [],
    }
    async with (
        RedisCoordinator(redis_url, namespace="cost", rate_limit=huge) as rate_only,
        RedisCoordinator(
            redis_url, namespace="cost2", rate_limit=huge, max_in_flight=1000
        ) as with_slots,
    ):
        await timed(limits(None, rate_only))  # warm: connection, script loaded
        await timed(limits(None, with_slots), with_slots.drain)
        for _ in range(rounds):
            values = [
                await timed(limits(None)),
                await timed(limits(huge)),
                await timed(limits(None, rate_only)),
                await timed(limits(None, with_slots), with_slots.drain),
            ]
            for key, value in zip(results, values, strict=True):
                results[key].append(value)
    return {key: summarize(values).as_dict() for key, values in results.items()}


async def _all(
    processes: Sequence[int], rate: float, duration: float, count: int, rounds: int
) -> dict[str, Any]:
    runs: dict[str, dict[str, Any]] = {mode: {} for mode in MODES}
    with RedisServer() as redis:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max(processes), mp_context=ctx) as pool:
            list(pool.map(_warm_up, [0.5] * max(processes)))  # every process started
            for n in processes:
                for mode in MODES:
                    url = redis.url if mode == "coordinated" else None
                    print(f"[shared_limit] N={n} {mode} ...", file=sys.stderr, flush=True)
                    runs[mode][str(n)] = await _one_run(pool, n, rate, duration, url)
                    await _flush(redis.url)
        admission = await _admission(redis.url, count, rounds)
    return {
        "rate": rate,
        "duration": duration,
        "processes": list(processes),
        "runs": runs,
        "admission_us": admission,
        "admission_count": count,
    }


async def _flush(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushall()
    finally:
        await client.aclose()


def run(
    *, processes: Sequence[int], rate: float, duration: float, count: int, rounds: int
) -> dict[str, Any]:
    """Every N of `processes` with and without the coordinator, `duration` seconds each
    at account rate `rate`; then the admission cost over `count` admissions x `rounds`."""
    if redis_server_path() is None:
        return {"skipped": "redis-server is not installed"}
    return asyncio.run(_all(processes, rate, duration, count, rounds))


def render(results: dict[str, Any]) -> str:
    """Markdown: one row per N and mode; the admission cost."""
    if "skipped" in results:
        return f"Skipped: {results['skipped']}."
    rows = []
    for n in results["processes"]:
        for mode in MODES:
            r = results["runs"][mode][str(n)]
            rows.append(
                [
                    f"{n} × {mode}",
                    f"{r['share']:.3f}",
                    str(r["max_in_window"]),
                    str(r["rate_limited"]),
                    str(r["logins"]),
                    str(r["failed"]),
                ]
            )
    intro = (
        f"N worker processes, each with its own client logging in with credentials and "
        f"4 tasks calling `invoices.get` for {results['duration']:g} s, against one sandbox "
        f"that allows {results['rate']:g} requests per second for the account (429 with "
        "Retry-After beyond it). 'Coordinated': one `RedisCoordinator("
        f"rate_limit={results['rate']:g})` namespace shared by all; 'per process': each "
        f"client with its own `rate_limit={results['rate']:g}`, the set-up without "
        "coordination. Achieved: successful requests per second at the sandbox / R."
    )
    main = table(
        ["N × mode", "achieved / R", "most in 1 s", "429s", "logins", "failed calls"], rows
    )
    cost_rows = [
        [name, fmt(v["median"]), f"{fmt(v['p25'])}–{fmt(v['p75'])}"]
        for name, v in results["admission_us"].items()
    ]
    cost = (
        f"Admission cost, µs per acquire + release ({results['admission_count']:,} in a row, "
        "a rate never reached, local redis-server over TCP):\n\n"
        + table(["admission", "median µs", "IQR"], cost_rows)
    )
    return f"{intro}\n\n{main}\n\n{cost}"


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Coordinated: ≥0.95 R, no 429 and one login at every N."""
    if "skipped" in results:
        return []
    runs = results["runs"]["coordinated"]
    shares = [runs[str(n)]["share"] for n in results["processes"]]
    limited = sum(runs[str(n)]["rate_limited"] for n in results["processes"])
    logins = {runs[str(n)]["logins"] for n in results["processes"]}
    return [
        ("shared limit: ≥0.95 R at every N", f"min {min(shares):.3f}", min(shares) >= 0.95),
        ("shared limit: no 429 at any N", f"{limited} × 429", limited == 0),
        ("shared limit: one login at every N", ", ".join(map(str, sorted(logins))), logins == {1}),
    ]


def chart(results: dict[str, Any], path: Path) -> None:
    """Achieved share of R against N, with and without the coordinator; 429s beside."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    if "skipped" in results:
        left.set_title(f"Skipped: {results['skipped']}")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return
    ns = results["processes"]
    for mode, marker in zip(MODES, ("o", "s"), strict=True):
        runs = results["runs"][mode]
        left.plot(ns, [runs[str(n)]["share"] for n in ns], marker=marker, label=mode)
        right.plot(ns, [runs[str(n)]["rate_limited"] for n in ns], marker=marker, label=mode)
    left.axhline(1.0, color="grey", linewidth=0.8)
    left.axhline(0.95, color="grey", linewidth=0.8, linestyle="--")
    left.set_ylabel("successful requests / s ÷ R")
    left.set_title(f"Achieved rate, account limit R = {results['rate']:g}/s")
    right.set_ylabel("429 answers")
    right.set_title(f"429s in {results['duration']:g} s")
    for ax in (left, right):
        ax.set_xlabel("worker processes (N)")
        ax.set_xscale("log", base=2)
        ax.set_xticks(ns)
        ax.set_xticklabels([str(n) for n in ns])
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


SETTINGS = {
    "quick": {"processes": (1, 2), "rate": 20.0, "duration": 1.0, "count": 200, "rounds": 1},
    "full": {"processes": (1, 2, 4, 8), "rate": 40.0, "duration": 4.0, "count": 3000, "rounds": 5},
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run alone: print the tables, write the chart into `--out`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shared_limit")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    results = run(**SETTINGS["quick" if args.quick else "full"])  # type: ignore[arg-type]
    print(render(results))
    for name, measured, met in targets(results):
        print(f"- {name}: {measured} ({'met' if met else 'NOT met'})")
    if "skipped" not in results:
        args.out.mkdir(parents=True, exist_ok=True)
        chart(results, args.out / "shared_limit.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
