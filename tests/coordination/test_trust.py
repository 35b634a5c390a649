"""Coordination you can trust, each fault reproduced against a real redis-server: the
session belongs to one login, a lease never outlives its holder, misconfiguration is an
error and not an outage."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from kashflow_async import AuthenticationError, CoordinationError, KashFlowClient
from kashflow_async.coordination import RedisCoordinator
from kashflow_async.coordination.sealing import Seal, Unsealable
from kashflow_async.coordination.testing import RedisServer
from kashflow_async.sandbox import Faults, Sandbox

LOGGER = "kashflow_async.coordination"
GET = "GET /invoices/{number}"


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose()


def client(sb: Sandbox, coord: RedisCoordinator, **changes: object) -> KashFlowClient:
    login: dict[str, object] = {
        "username": sb.username,
        "password": sb.password,
        "memorable_word": sb.memorable_word,
    }
    login.update(changes)
    return KashFlowClient(base_url=sb.url, coordinator=coord, **login)  # type: ignore[arg-type]


async def leases_left(redis: Redis, coord: RedisCoordinator, within: float) -> int:
    """The lease count once it is 0, or after `within` seconds (a bound, not a timing)."""
    loop = asyncio.get_running_loop()
    until = loop.time() + within
    while (count := await redis.zcard(coord.keys.leases)) and loop.time() < until:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return int(count)


# -- the shared session belongs to one login --------------------------------------------


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_wrong_credentials_in_a_shared_namespace_are_refused(
    redis_server: RedisServer, wire_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, LOGGER)
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="shared") as coord,
    ):
        async with client(sb, coord, wire_format=wire_format) as good:
            await good.invoices.get(1)
        reads = len(sb.stats.times(GET))
        for _ in range(2):
            async with client(
                sb, coord, username="mallory", password="wrong", wire_format=wire_format
            ) as mallory:
                with pytest.raises(AuthenticationError):
                    await mallory.invoices.get(1)
        # mallory never sent a request with the other login's token: no read at all
        assert len(sb.stats.times(GET)) == reads
        assert sb.stats.logins == 1
    foreign = [r for r in caplog.records if "sealed by other credentials" in r.message]
    assert len(foreign) == 1  # said once, naming the namespace and no secret
    assert "'shared'" in foreign[0].getMessage()
    assert sb.password not in foreign[0].getMessage()


async def test_other_credentials_in_strict_mode_raise(redis_server: RedisServer) -> None:
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="shared", strict=True) as coord,
    ):
        async with client(sb, coord) as good:
            await good.invoices.get(1)
        async with client(sb, coord, username="other", password="x") as other:
            with pytest.raises(CoordinationError, match="sealed by other credentials"):
                await other.invoices.get(1)


async def test_a_reader_of_redis_without_the_credentials_cannot_use_the_token(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="n") as coord,
        client(sb, coord) as kf,
    ):
        await kf.invoices.get(1)
        token = kf._transport.auth.current
        blob = await redis.get(coord.keys.token)
        assert token is not None and blob is not None and token not in blob
        guess = Seal(
            username=sb.username,
            password="guessed",
            memorable_word=sb.memorable_word,
            base_url=sb.url,
            namespace="n",
        )
        with pytest.raises(Unsealable):
            guess.open(blob)
        # the same credentials in another namespace cannot open it either
        elsewhere = Seal(
            username=sb.username,
            password=sb.password,
            memorable_word=sb.memorable_word,
            base_url=sb.url,
            namespace="m",
        )
        with pytest.raises(Unsealable):
            elsewhere.open(blob)


async def test_the_token_key_expires_after_the_idle_lifetime_given(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="n", session_idle_seconds=90) as coord,
        client(sb, coord) as kf,
    ):
        await kf.invoices.get(1)
        assert 80_000 < await redis.pttl(coord.keys.token) <= 90_000


# -- a lease never outlives its holder ---------------------------------------------------


async def test_debug_sleep_during_admits_leaves_no_lease(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="n", max_in_flight=4) as coord,
        KashFlowClient(token=sb.token, base_url=sb.url, coordinator=coord) as kf,
    ):
        stop = asyncio.Event()

        async def worker() -> int:
            done = 0
            while not stop.is_set():
                await kf.invoices.get(1)
                done += 1
            return done

        workers = [asyncio.ensure_future(worker()) for _ in range(8)]
        await asyncio.sleep(0.3)
        sleeper = Redis.from_url(redis_server.url, socket_timeout=10)
        await sleeper.execute_command("DEBUG", "SLEEP", "2")  # admits stall, then run late
        await sleeper.aclose()
        stop.set()
        assert min(await asyncio.gather(*workers)) > 0  # no request failed
        # the next request completes within its own timeout (the bound is a hang guard)
        await asyncio.wait_for(kf.with_options(timeout=5, max_retries=0).invoices.get(1), 10)
        assert await leases_left(redis, coord, within=1.0) == 0


async def test_a_release_during_client_pause_is_not_lost(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with RedisCoordinator(redis_server.url, namespace="n", max_in_flight=2) as coord:
        await coord.admit()
        assert await redis.zcard(coord.keys.leases) == 1
        await redis.execute_command("CLIENT", "PAUSE", "1500", "ALL")
        coord.release()  # cannot land until the pause ends: retried in the background
        assert await leases_left(redis, coord, within=5.0) == 0


async def test_ten_thousand_random_cancellations_leave_no_lease(
    redis_server: RedisServer, redis: Redis
) -> None:
    rng = random.Random(19)
    async with RedisCoordinator(
        redis_server.url, namespace="n", max_in_flight=8, rate_limit=None
    ) as coord:

        async def attempt(hold: float) -> None:
            await coord.admit()
            try:
                await asyncio.sleep(hold)
            finally:
                coord.release()

        cancelled = 0

        async def one(n: int) -> None:
            nonlocal cancelled
            try:
                await asyncio.wait_for(attempt(rng.random() * 0.002), rng.random() * 0.003)
            except asyncio.TimeoutError:
                cancelled += 1

        sem = asyncio.Semaphore(64)

        async def bounded(n: int) -> None:
            async with sem:
                await one(n)

        await asyncio.gather(*(bounded(n) for n in range(10_000)))
        assert cancelled > 1_000  # the test did cancel, often
        await coord.drain()
        assert len(coord._held) == 0
        assert await leases_left(redis, coord, within=2.0) == 0


async def test_a_lease_released_before_its_admit_ran_is_never_taken(
    redis_server: RedisServer, redis: Redis
) -> None:
    from kashflow_async.coordination._batch import _admit
    from kashflow_async.coordination._lua import RELEASE, Script

    keys = RedisCoordinator(redis_server.url, namespace="n").keys
    await Script(RELEASE)(redis, (keys.leases, keys.released), (10_000_000, "late-1"))
    admit_keys = (keys.rate, keys.paused, keys.leases, keys.released, keys.heartbeats)
    # the admit arrives after its release (its caller gave up): nothing is taken
    answer = await _admit(redis, admit_keys, (0, 1, 4, 10_000_000, 1, "p", 10_000_000, 1, "late-1"))
    assert [int(x) for x in answer][2:] == []
    assert await redis.zcard(keys.leases) == 0
    answer = await _admit(redis, admit_keys, (0, 1, 4, 10_000_000, 1, "p", 10_000_000, 1, "new"))
    assert [int(x) for x in answer][2:] == [1]


def test_a_short_lease_gets_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, LOGGER)
    RedisCoordinator("redis://127.0.0.1:1/0", namespace="n", lease_seconds=5)
    assert any("shorter than one request can last" in r.message for r in caplog.records)
    caplog.clear()
    coord = RedisCoordinator("redis://127.0.0.1:1/0", namespace="n")
    assert coord.lease_seconds >= 30 * 4 + 8 * 3
    assert caplog.records == []


# -- misconfiguration is an error, not an outage -----------------------------------------


async def _misconfigured_url(kind: str, server: RedisServer, admin: Redis) -> str:
    base = f"127.0.0.1:{server.port}"
    if kind == "wrong password":
        await admin.config_set("requirepass", "right")
        return f"redis://:wrong@{base}/0"
    if kind == "no password":
        await admin.config_set("requirepass", "right")
        return f"redis://{base}/0"
    if kind == "NOPERM":
        await admin.execute_command("ACL", "SETUSER", "reader", "on", ">pw", "~*", "+ping", "+get")
        return f"redis://reader:pw@{base}/0"
    assert kind == "wrong database"
    return f"redis://{base}/99"


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("kind", ["wrong password", "no password", "NOPERM", "wrong database"])
async def test_misconfiguration_raises_in_both_modes(
    redis_server: RedisServer, redis: Redis, kind: str, strict: bool
) -> None:
    url = await _misconfigured_url(kind, redis_server, redis)
    coord = RedisCoordinator(url, namespace="n", rate_limit=10, strict=strict)
    with pytest.raises(CoordinationError, match="not an outage") as entered:
        await coord.__aenter__()
    assert "wrong" not in str(entered.value).replace("wrong database", "")  # no password shown
    with pytest.raises(CoordinationError, match="refused namespace 'n'"):
        await coord.admit()  # and on use
    await coord.aclose()


async def test_a_wrong_password_fails_the_request_not_falls_back(
    redis_server: RedisServer, redis: Redis
) -> None:
    url = await _misconfigured_url("wrong password", redis_server, redis)
    coord = RedisCoordinator(url, namespace="n", rate_limit=10)
    async with (
        Sandbox(faults=Faults()) as sb,
        KashFlowClient(token=sb.token, base_url=sb.url, coordinator=coord) as kf,
    ):
        with pytest.raises(CoordinationError):
            await kf.invoices.get(1)
        assert sb.stats.times(GET) == []  # nothing went out under no limit
    await coord.aclose()
