"""Four worker processes, each with its own client and `RedisCoordinator`, against one
sandbox that enforces an account-wide rate: what the coordination promises, in JSON and XML."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kashflow_async.coordination.testing import RedisServer
from kashflow_async.sandbox import FaultRule, Faults, RequestRecord, Sandbox
from tests.coordination import _workers
from tests.coordination._workers import Job, Outcome

pytestmark = pytest.mark.parametrize("wire_format", ["json", "xml"])

RATE = 25
RUN = 2.5
GET = "GET /invoices/{number}"


def job(sb: Sandbox, redis: RedisServer, wire_format: str, **changes: Any) -> Job:
    base = Job(
        base_url=sb.url,
        redis_url=redis.url,
        namespace="acme",
        wire_format=wire_format,
        start_at=time.time() + 0.6,
        duration=RUN,
        credentials=(sb.username, sb.password, sb.memorable_word),
        rate_limit=RATE,
    )
    return replace(base, **changes)


async def run(pool: ProcessPoolExecutor, jobs: Sequence[Job]) -> list[Outcome]:
    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(*(loop.run_in_executor(pool, _workers.run, j) for j in jobs)))


def achieved(sb: Sandbox, key: str = GET) -> float:
    """Requests per second at the server, first to last arrival."""
    times = sb.stats.times(key)
    return (len(times) - 1) / (times[-1] - times[0])


def in_flight(sb: Sandbox, key: str) -> list[RequestRecord]:
    return [r for r in sb.stats.records if r.key == key and r.status is None]


async def holds_both_slots(sb: Sandbox) -> None:
    while len(in_flight(sb, "GET /quotes/{number}")) < 2:  # noqa: ASYNC110 (another process)
        await asyncio.sleep(0.02)


def assert_no_errors(outcomes: Sequence[Outcome]) -> None:
    assert all(o.ok > 0 for o in outcomes)
    assert [dict(o.errors) for o in outcomes] == [{}] * len(outcomes)


async def test_shared_rate_and_one_login(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    async with Sandbox(faults=Faults(rate_limit=RATE)) as sb:
        outcomes = await run(pool, [job(sb, redis_server, wire_format)] * 4)
    assert_no_errors(outcomes)
    assert sb.stats.rate_limited == 0
    assert sb.stats.max_rate(1.0) <= RATE
    assert achieved(sb) >= 0.95 * RATE
    assert sb.stats.logins == 1


async def test_one_relogin_after_the_session_expires(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    async with Sandbox(faults=Faults(rate_limit=RATE)) as sb:
        jobs = [job(sb, redis_server, wire_format)] * 4
        expire = asyncio.get_running_loop().call_at(
            asyncio.get_running_loop().time() + (jobs[0].start_at - time.time()) + RUN / 2,
            sb.expire_tokens,
        )
        outcomes = await run(pool, jobs)
        expire.cancel()
    assert_no_errors(outcomes)  # every request that saw the 401 was replayed
    assert sum(r.status == 401 for r in sb.stats.records) >= 1
    assert sb.stats.logins == 2
    assert sb.stats.rate_limited == 0


async def test_a_429_pauses_every_worker(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    script = ("ok",) * 15 + ("429",)
    faults = Faults(routes={GET: FaultRule(script=script, retry_after=1.0)})
    async with Sandbox(faults=faults) as sb:
        outcomes = await run(pool, [job(sb, redis_server, wire_format)] * 4)
    assert_no_errors(outcomes)  # the request that met the 429 was retried
    (hit,) = [r for r in sb.stats.records if r.status == 429]
    during = [r for r in sb.stats.records if hit.arrived + 0.1 < r.arrived < hit.arrived + 0.95]
    assert during == []
    assert any(r.arrived >= hit.arrived + 1.0 for r in sb.stats.records)  # and they went on


async def test_in_flight_cap_holds_at_the_server(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    async with Sandbox(faults=Faults(latency=0.05)) as sb:
        jobs = [job(sb, redis_server, wire_format, rate_limit=None, max_in_flight=3)] * 4
        outcomes = await run(pool, jobs)
    assert_no_errors(outcomes)
    assert sb.stats.max_in_flight == 3


async def test_a_killed_worker_gives_its_slots_back(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    import multiprocessing

    lease = 1.0
    slow = {"GET /quotes/{number}": FaultRule(latency=3.0)}
    async with Sandbox(faults=Faults(routes=slow)) as sb:
        base = job(sb, redis_server, wire_format, rate_limit=None, max_in_flight=2)
        victim_job = replace(
            base, start_at=time.time(), duration=60.0, resource="quotes", lease_seconds=lease
        )
        victim = multiprocessing.get_context("spawn").Process(
            target=_workers.run, args=(victim_job,)
        )
        victim.start()
        await asyncio.wait_for(holds_both_slots(sb), 30)
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGKILL)
        await asyncio.to_thread(victim.join)
        killed_at = sb.clock.now()
        outcomes = await run(pool, [replace(base, start_at=time.time() + 0.6, duration=1.5)] * 4)
    assert_no_errors(outcomes)
    served = [r for r in sb.stats.records if r.key == GET]
    # the others waited for the leases to expire, then went on with both slots
    assert min(r.arrived for r in served) >= killed_at
    assert sum(o.ok for o in outcomes) == len(served)


async def test_redis_killed_mid_run_requests_go_on(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    async with Sandbox() as sb:
        jobs = [job(sb, redis_server, wire_format)] * 4
        kill_in = jobs[0].start_at - time.time() + RUN / 3
        killer = asyncio.get_running_loop().call_later(kill_in, redis_server.kill)
        outcomes = await run(pool, jobs)
        killer.cancel()
    assert_no_errors(outcomes)
    assert [o.warnings for o in outcomes] == [1, 1, 1, 1]  # one warning each
    last = max(r.arrived for r in sb.stats.records)
    first = min(r.arrived for r in sb.stats.records)
    assert last - first > RUN / 2  # they went on after Redis was gone


async def test_redis_killed_strict_every_request_raises(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str, tmp_path: Path
) -> None:
    flag = tmp_path / "redis-killed"
    async with Sandbox() as sb:
        jobs = [
            job(
                sb,
                redis_server,
                wire_format,
                strict=True,
                rate_limit=None,
                concurrency=1,  # so that phase one ends with the deadline
                duration=0.5,
                then_file=str(flag),
                then_requests=5,
            )
        ] * 4
        runs = asyncio.ensure_future(run(pool, jobs))
        await asyncio.sleep(jobs[0].start_at + jobs[0].duration + 0.5 - time.time())
        redis_server.kill()
        flag.touch()
        outcomes = await runs
    assert_no_errors(outcomes)
    assert [dict(o.then_errors) for o in outcomes] == [{"CoordinationError": 5}] * 4


async def test_two_namespaces_do_not_share(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    async with (
        Sandbox(faults=Faults(rate_limit=RATE)) as one,
        Sandbox(faults=Faults(rate_limit=RATE)) as two,
    ):
        jobs = [job(one, redis_server, wire_format, namespace="one")] * 2
        jobs += [job(two, redis_server, wire_format, namespace="two")] * 2
        outcomes = await run(pool, jobs)
    assert_no_errors(outcomes)
    for sb in (one, two):  # each namespace had the whole rate and its own login
        assert sb.stats.rate_limited == 0
        assert achieved(sb) >= 0.95 * RATE
        assert sb.stats.logins == 1


async def test_a_three_second_outage_never_exceeds_the_account(
    pool: ProcessPoolExecutor, redis_server: RedisServer, wire_format: str
) -> None:
    async with Sandbox(faults=Faults(rate_limit=RATE)) as sb:
        jobs = [job(sb, redis_server, wire_format, duration=6.0)] * 4
        loop = asyncio.get_running_loop()
        down_in = jobs[0].start_at - time.time() + 1.5
        killer = loop.call_later(down_in, redis_server.kill)
        restarter = loop.call_later(down_in + 3.0, redis_server.start)
        outcomes = await run(pool, jobs)
        killer.cancel()
        restarter.cancel()
    assert_no_errors(outcomes)
    # each process took its quarter of the account while Redis was down
    assert sb.stats.rate_limited == 0
    assert sb.stats.max_rate(1.0) <= RATE
