"""Many accounts over one Redis pool: `Coordination.account(...)` and
`RedisCoordinator(redis=...)`, against a real redis-server."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis

from kashflow_async import InvalidArgumentError
from kashflow_async.coordination import Coordination, RedisCoordinator
from kashflow_async.coordination.testing import RedisServer

LOGGER = "kashflow_async.coordination"


async def _client_count(admin: Redis) -> int:
    return len(await admin.client_list()) - 1  # less the admin connection itself


async def test_two_hundred_accounts_share_one_pool_of_at_most_max_connections(
    redis_server: RedisServer,
) -> None:
    admin = Redis.from_url(redis_server.url, decode_responses=True)
    async with Coordination(redis_server.url, max_connections=4) as coordination:
        accounts = [
            coordination.account(f"acct-{n}", rate_limit=1000, max_in_flight=2) for n in range(200)
        ]

        async def one(coord: RedisCoordinator) -> None:
            async with coord:
                await coord.admit()
                coord.release()

        await asyncio.gather(*(one(coord) for coord in accounts))
        assert 1 <= await _client_count(admin) <= 4
        # each account has its own keys: 200 rate keys, none shared
        rate_keys = [key async for key in admin.scan_iter("kashflow:{acct-*}:rate")]
        assert len(rate_keys) == 200
    assert await _client_count(admin) == 0  # the pool is closed with the Coordination
    await admin.aclose()


async def test_a_closed_account_leaves_no_task_and_only_keys_that_expire(
    redis_server: RedisServer,
) -> None:
    admin = Redis.from_url(redis_server.url, decode_responses=True)
    async with Coordination(redis_server.url) as coordination:
        before = asyncio.all_tasks()
        coord = coordination.account("gone", rate_limit=50, max_in_flight=3)
        async with coord:
            for _ in range(3):
                await coord.admit()
            for _ in range(3):
                coord.release()
            coord.pause(0.5)
        assert asyncio.all_tasks() == before
        keys = [key async for key in admin.scan_iter("kashflow:{gone}:*")]
        assert keys, "the account wrote nothing"
        for key in keys:
            assert await admin.pttl(key) > 0, f"{key} never expires"
    await admin.aclose()


async def test_a_given_redis_client_is_used_and_never_closed(redis_server: RedisServer) -> None:
    client = Redis.from_url(redis_server.url)  # bytes replies: the coordinator copes
    async with RedisCoordinator(redis=client, namespace="given", rate_limit=100) as coord:
        await coord.admit()
        coord.release()
    coordination = Coordination(client)
    async with coordination, coordination.account("also", rate_limit=100) as other:
        await other.admit()
        other.release()
    assert await client.ping()  # still open: it is the caller's
    assert await client.exists("kashflow:{given}:rate", "kashflow:{also}:rate") == 2
    await client.aclose()


async def test_an_outage_is_reported_once_for_every_account_of_the_pool(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = RedisServer()  # a free port nobody listens on
    server.stop()
    caplog.set_level(logging.WARNING, logger=LOGGER)
    async with Coordination(server.url) as coordination:
        for n in range(20):
            async with coordination.account(f"a{n}", rate_limit=1000) as coord:
                await coord.admit()
                coord.release()
    warnings = [r for r in caplog.records if r.name == LOGGER and "unreachable" in r.message]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "named"),
    [
        ((), {"namespace": "a"}, "neither"),
        (("redis://127.0.0.1:1/0",), {"namespace": "a", "redis": object()}, "url and redis"),
    ],
)
def test_a_coordinator_needs_exactly_one_of_url_and_redis(
    args: tuple[object, ...], kwargs: dict[str, object], named: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=named):
        RedisCoordinator(*args, **kwargs)  # type: ignore[arg-type]


def test_coordination_refuses_what_is_not_redis_and_pool_options_with_a_client() -> None:
    with pytest.raises(InvalidArgumentError, match=r"redis\.asyncio\.Redis"):
        Coordination(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="max_connections"):
        Coordination(Redis(), max_connections=3)


async def test_a_closed_coordination_hands_out_no_more_accounts() -> None:
    coordination = Coordination("redis://127.0.0.1:1/0")
    await coordination.aclose()
    with pytest.raises(InvalidArgumentError, match="closed"):
        coordination.account("late")


async def test_a_closed_coordinator_is_no_longer_counted_live(redis_server: RedisServer) -> None:
    admin = Redis.from_url(redis_server.url, decode_responses=True)
    async with Coordination(redis_server.url) as coordination:
        first = coordination.account("n", rate_limit=100)
        async with first, coordination.account("n", rate_limit=100) as second:
            await second.admit()
            second.release()
            assert second.live == 2
            assert await admin.zcard(second.keys.heartbeats) == 2
        assert await admin.zcard(second.keys.heartbeats) == 0
    await admin.aclose()
