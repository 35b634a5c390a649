"""The chaos test: four worker processes share one account through a real redis-server
while faults strike at seeded random moments (DEBUG SLEEP, CLIENT PAUSE, redis-server
SIGKILLed and restarted, FLUSHALL, a SIGKILLed worker, random cancellations), and a
client with wrong credentials keeps trying. Every invariant of the coordination is
checked against what the sandbox (which enforces the account rate R) saw."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from redis.asyncio import Redis

from kashflow_async import AuthenticationError, KashFlowClient
from kashflow_async.coordination import RedisCoordinator
from kashflow_async.coordination.testing import RedisServer
from kashflow_async.sandbox import Faults, Sandbox
from tests.coordination import _chaos

R = 20
CAP = 4
SEED = 19
GET = "GET /invoices/{number}"
#: the killed worker's leases must be gone this long after the SIGKILL
VICTIM_LEASE = 3.0


async def _wait_for(predicate: Callable[[], bool], within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    until = loop.time() + within
    while not predicate():
        if loop.time() > until:
            raise AssertionError(f"{what} did not happen within {within} s")
        await asyncio.sleep(0.05)


def _rate(times: list[float], start: float, end: float) -> float:
    """Requests per second at the server between `start` and `end`, first to last
    arrival (a count per fixed window would lose up to one request to its edges)."""
    inside = [t for t in times if start <= t < end]
    return (len(inside) - 1) / (inside[-1] - inside[0]) if len(inside) > 2 else 0.0


async def test_chaos(redis_server: RedisServer, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    spawn = multiprocessing.get_context("spawn")
    admin = Redis.from_url(redis_server.url, decode_responses=True, socket_timeout=10)
    stalls: list[tuple[str, float]] = []  # fault, when it ended (sandbox clock)
    mallory_refused = 0
    async with Sandbox(faults=Faults(rate_limit=R, latency=0.01)) as sb:
        creds = (sb.username, sb.password, sb.memorable_word)
        jobs = [
            _chaos.ChaosJob(
                base_url=sb.url,
                redis_url=redis_server.url,
                credentials=creds,
                rate_limit=R,
                max_in_flight=CAP,
                directory=str(tmp_path),
                name=str(n),
                seed=SEED * 10 + n,
                lease_seconds=VICTIM_LEASE if n == 3 else None,
            )
            for n in range(4)
        ]
        workers = [spawn.Process(target=_chaos.run, args=(job,)) for job in jobs]
        for worker in workers:
            worker.start()
        try:
            await _wait_for(
                lambda: all((tmp_path / f"ready-{n}").exists() for n in range(4)), 60, "start"
            )
            victim_prefix = (tmp_path / "ready-3").read_text()
            coord = RedisCoordinator(redis_server.url, namespace="chaos", rate_limit=R)

            # one client with wrong credentials in the namespace, trying after every fault
            intruder = KashFlowClient(
                username=sb.username,
                password="wrong",
                memorable_word=sb.memorable_word,
                base_url=sb.url,
                coordinator=coord,
            )

            async def mallory() -> None:
                nonlocal mallory_refused
                with pytest.raises(AuthenticationError):
                    await intruder.invoices.get(1)
                mallory_refused += 1

            async def debug_sleep() -> None:
                await admin.execute_command("DEBUG", "SLEEP", "1.5")

            async def client_pause() -> None:
                await admin.execute_command("CLIENT", "PAUSE", "1500", "ALL")
                await asyncio.sleep(1.5)

            async def restart() -> None:
                redis_server.kill()
                await asyncio.sleep(2.0)
                await asyncio.to_thread(redis_server.start)

            async def flushall() -> None:
                await admin.flushall()

            faults: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                ("DEBUG SLEEP", debug_sleep),
                ("CLIENT PAUSE", client_pause),
                ("SIGKILL and restart of redis-server", restart),
                ("FLUSHALL", flushall),
            ]
            rng.shuffle(faults)
            await asyncio.sleep(1.0 + rng.random())
            victim = workers[3]
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)
            killed_at: float | None = asyncio.get_running_loop().time()
            await mallory()
            for name, fault in faults:
                await asyncio.sleep(0.5 + rng.random())
                await fault()
                stalls.append((name, sb.clock.now()))
                await mallory()
                await asyncio.sleep(3.6)  # 2 s to recover, then at least 1 s measured
                if killed_at is not None:
                    # the SIGKILLed worker's leases are gone within its lease_seconds
                    loop = asyncio.get_running_loop()
                    await asyncio.sleep(max(0.0, killed_at + VICTIM_LEASE + 0.2 - loop.time()))
                    members = await admin.zrange(coord.keys.leases, 0, -1)
                    assert not [m for m in members if m.startswith(victim_prefix)]
                    killed_at = None
            (tmp_path / "stop").touch()
            for worker in workers[:3]:
                await asyncio.to_thread(worker.join, 30)
                assert worker.exitcode == 0
            # every lease key is empty within one second of the last clean exit
            loop = asyncio.get_running_loop()
            until = loop.time() + 1.0
            while (left := await admin.zcard(coord.keys.leases)) and loop.time() < until:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            assert left == 0
            await intruder.aclose()
            await coord.aclose()
        finally:
            (tmp_path / "stop").touch()
            for worker in workers:
                if worker.is_alive():
                    worker.kill()
                worker.join(10)
            await admin.aclose()

    outcomes = [json.loads((tmp_path / f"outcome-{n}.json").read_text()) for n in range(3)]
    # no request failed (cancellations are the test's own doing)
    assert [o["errors"] for o in outcomes] == [{}, {}, {}]
    assert all(o["ok"] > 0 for o in outcomes)
    assert sum(o["cancelled"] for o in outcomes) > 0
    # no one-second window at the server went over the account's rate by more than one
    # process's degraded share (R/N): the client paces at 97% of R, so only scheduling
    # delays of tens of ms on a loaded machine can push a window over R at all
    assert sb.stats.max_rate(1.0, GET) <= R + R // 4
    # throughput back to at least 0.95 R within 2 s after each stall ended
    times = sb.stats.times(GET)
    for name, ended in stalls:
        assert _rate(times, ended + 2.0, ended + 3.5) >= 0.95 * R, (name, ended, times)
    # wrong credentials never read an invoice
    assert mallory_refused == len(stalls) + 1
