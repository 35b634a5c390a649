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
    with pytest.raises(CoordinationError, match="cannot write the journal"):
        await journal.intend(0, "d", 1)
    with pytest.raises(CoordinationError, match="cannot read"):
        await journal.read()
    await journal.aclose()


def test_a_job_name_and_one_source_are_required() -> None:
    with pytest.raises(InvalidArgumentError, match="job"):
        RedisJournal("redis://127.0.0.1:1/0", job="a}b")
    with pytest.raises(InvalidArgumentError, match="either url or redis"):
        RedisJournal(job="x")
    with pytest.raises(InvalidArgumentError, match="redis://"):
        RedisJournal("http://example.com", job="x")
