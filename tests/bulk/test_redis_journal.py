"""`RedisJournal` against a real redis-server: records, batches, a stopped Redis, names."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from kashflow_async import CoordinationError, InvalidArgumentError
from kashflow_async.bulk import Outcome
from kashflow_async.bulk.redis import RedisJournal
from kashflow_async.coordination.testing import RedisServer


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


async def test_records_survive_the_worker_and_are_shared(redis: RedisServer) -> None:
    async with RedisJournal(redis.url, job="import-1") as journal:
        await asyncio.gather(*(journal.intend(k, f"d{k}", 1) for k in range(300)))
        await journal.record(7, "d7", Outcome.CREATED, 5007)
        await journal.record(8, "d8", Outcome.FAILED)
    async with RedisJournal(redis.url, job="import-1") as other:  # another process's view
        latest = await other.read()
        assert len(latest) == 300
        assert latest[7].outcome is Outcome.CREATED and latest[7].number == 5007
        assert latest[8].outcome is Outcome.FAILED and not latest[8].unresolved
        assert latest[9].unresolved and latest[9].digest == "d9"
        async with RedisJournal(redis.url, job="import-2") as unrelated:
            assert await unrelated.read() == {}
        await other.delete()
        assert await other.read() == {}


async def test_an_unreachable_redis_is_a_coordination_error(redis: RedisServer) -> None:
    journal = RedisJournal(redis.url, job="j")
    redis.kill()
    with pytest.raises(CoordinationError, match="cannot take the job"):
        await journal.intend(0, "d", 1)
    with pytest.raises(CoordinationError, match="cannot take the job"):
        await journal.read()
    await journal.aclose()


async def test_one_worker_holds_a_job_and_a_dead_ones_lease_runs_out(
    redis: RedisServer,
) -> None:
    first = RedisJournal(redis.url, job="j", lease_seconds=0.6)
    await first.intend(0, "d", 1)
    async with RedisJournal(redis.url, job="j", wait_seconds=0.2) as second:
        with pytest.raises(CoordinationError, match="held by another worker"):
            await second.read()
    await asyncio.sleep(1.0)  # renewed meanwhile: still held
    async with RedisJournal(redis.url, job="j", wait_seconds=0.2) as third:
        with pytest.raises(CoordinationError, match="held by another worker"):
            await third.read()
    assert first._heartbeat is not None
    first._heartbeat.cancel()  # the worker dies: nothing renews its lease
    async with RedisJournal(redis.url, job="j", wait_seconds=3) as heir:
        assert (await heir.read())[0].unresolved  # waited for the lease to run out
        with pytest.raises(CoordinationError, match="lost the job's lease"):
            await first.intend(1, "e", 1)  # the dead one cannot write any more
        await heir.record(0, "d", Outcome.CREATED, 1)
    await first.aclose()
    async with RedisJournal(redis.url, job="j", wait_seconds=0.2) as after:
        assert (await after.read())[0].outcome is Outcome.CREATED  # given back on close


def test_a_job_name_and_one_source_are_required() -> None:
    with pytest.raises(InvalidArgumentError, match="job"):
        RedisJournal("redis://127.0.0.1:1/0", job="a}b")
    with pytest.raises(InvalidArgumentError, match="either url or redis"):
        RedisJournal(job="x")
    with pytest.raises(InvalidArgumentError, match="redis://"):
        RedisJournal("http://example.com", job="x")
