"""`RedisCoordinator` in one process against a real redis-server: arguments, keys,
scripts, pauses, leases, the shared session, and Redis going away and coming back."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from kashflow_async import CoordinationError, InvalidArgumentError, KashFlowClient
from kashflow_async.coordination import RedisCoordinator
from kashflow_async.coordination.testing import RedisServer
from kashflow_async.sandbox import Faults, Sandbox

LOGGER = "kashflow_async.coordination"


@pytest.fixture
async def redis(redis_server: RedisServer) -> Redis:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose()


def closed_port_url() -> str:
    server = RedisServer()  # a free port nobody listens on
    server.stop()
    return server.url


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"namespace": ""}, "namespace"),
        ({"namespace": "a{b}"}, "namespace"),
        ({"namespace": "a", "rate_limit": 0}, "rate_limit"),
        ({"namespace": "a", "rate_limit": float("nan")}, "rate_limit"),
        ({"namespace": "a", "max_in_flight": 0}, "max_in_flight"),
        ({"namespace": "a", "max_in_flight": 2.5}, "max_in_flight"),
        ({"namespace": "a", "lease_seconds": -1}, "lease_seconds"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], named: str) -> None:
    with pytest.raises(InvalidArgumentError, match=named):
        RedisCoordinator("redis://127.0.0.1:6379/0", **kwargs)  # type: ignore[arg-type]


def test_a_url_that_is_not_redis_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="redis://"):
        RedisCoordinator("http://127.0.0.1:6379", namespace="a")


def test_without_redis_py_the_package_imports_and_the_error_names_the_extra() -> None:
    program = textwrap.dedent(
        """
        import sys
        sys.modules["redis"] = None  # as if redis-py were not installed
        import kashflow_async
        from kashflow_async.coordination import RedisCoordinator
        try:
            RedisCoordinator("redis://127.0.0.1:6379/0", namespace="a")
        except ImportError as exc:
            print(exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'kashflow-async[redis]'" in done.stdout


def test_every_key_of_a_namespace_is_in_one_cluster_slot() -> None:
    keys = RedisCoordinator("redis://127.0.0.1:1/0", namespace="acme-ltd").keys
    names = [keys.rate, keys.paused, keys.leases, keys.token, keys.login_lock]
    assert all(name.startswith("kashflow:{acme-ltd}:") for name in names)
    assert len({key_slot(name.encode()) for name in names}) == 1
    other = RedisCoordinator("redis://127.0.0.1:1/0", namespace="other").keys
    assert not set(names) & {other.rate, other.paused, other.leases, other.token}


async def test_scripts_are_loaded_again_after_redis_forgets_them(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with RedisCoordinator(redis_server.url, namespace="a", rate_limit=1000) as coord:
        await coord.admit()
        await redis.script_flush()
        await coord.admit()  # NOSCRIPT, then loaded again
        assert int(await redis.get(coord.keys.rate)) > 0
        assert (await redis.script_exists(*_shas()))[0]


def _shas() -> list[str]:
    from kashflow_async.coordination._batch import _admit

    return [_admit.sha]


async def test_a_shorter_pause_never_cuts_a_longer_one_short(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with RedisCoordinator(redis_server.url, namespace="a") as coord:
        coord.pause(30.0)
        coord.pause(0.5)
        await coord.aclose()  # waits for both writes
        assert await redis.pttl(coord.keys.paused) > 20_000


async def test_a_pause_holds_other_clients_of_the_namespace(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with (
        RedisCoordinator(redis_server.url, namespace="a") as one,
        RedisCoordinator(redis_server.url, namespace="a") as two,
        RedisCoordinator(redis_server.url, namespace="b") as elsewhere,
    ):
        one.pause(30.0)
        await one.aclose()
        await elsewhere.admit()  # another namespace is not paused
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(two.admit(), 0.3)


async def test_an_unreleased_lease_expires(redis_server: RedisServer, redis: Redis) -> None:
    url = redis_server.url
    async with (
        RedisCoordinator(url, namespace="a", max_in_flight=1, lease_seconds=0.3) as dead,
        RedisCoordinator(url, namespace="a", max_in_flight=1) as alive,
    ):
        await dead.admit()  # never released, as if its process were killed
        await asyncio.wait_for(alive.admit(), 10)  # waits for the lease to expire
        assert await redis.zcard(alive.keys.leases) == 1
        alive.release()
        await alive.aclose()
        assert await redis.zcard(alive.keys.leases) == 0


async def test_redis_unreachable_one_warning_and_requests_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    async with (
        Sandbox() as sb,
        RedisCoordinator(closed_port_url(), namespace="a", max_in_flight=2) as coord,
        KashFlowClient(token=sb.token, base_url=sb.url, coordinator=coord) as kf,
    ):
        for _ in range(10):
            await kf.invoices.get(1)
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "per-process limits" in warnings[0].getMessage()


async def test_redis_unreachable_strict_raises() -> None:
    url = closed_port_url()
    with pytest.raises(CoordinationError, match="unreachable"):
        async with RedisCoordinator(url, namespace="a", strict=True):
            pass
    coord = RedisCoordinator(url, namespace="a", strict=True)
    async with (
        Sandbox() as sb,
        KashFlowClient(token=sb.token, base_url=sb.url, coordinator=coord) as kf,
    ):
        for _ in range(3):
            with pytest.raises(CoordinationError, match="unreachable"):
                await kf.invoices.get(1)
        assert sb.stats.total == 0  # nothing was sent
    await coord.aclose()


async def test_clients_go_back_to_redis_once_it_answers(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    async with RedisCoordinator(redis_server.url, namespace="a", rate_limit=1000) as coord:
        await coord.admit()
        redis_server.kill()
        await coord.admit()  # Redis is gone: local limits
        redis_server.start()  # back (empty), on the same port
        await asyncio.sleep(1.1)  # Redis is tried again at most once a second
        await coord.admit()
        fresh = Redis.from_url(redis_server.url)
        try:
            assert await fresh.exists(coord.keys.rate)  # the shared schedule again
        finally:
            await fresh.aclose()
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert any("unreachable" in m for m in messages)
    assert any("answers again" in m for m in messages)


async def test_clients_in_one_process_share_a_coordinator_and_one_login(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="a", rate_limit=200) as coord,
    ):
        login = {"username": sb.username, "password": sb.password}
        clients = [
            KashFlowClient(
                **login,
                memorable_word=sb.memorable_word,
                base_url=sb.url,
                wire_format=fmt,
                coordinator=coord,
            )
            for fmt in ("json", "xml", "json")
        ]
        await asyncio.gather(*(kf.invoices.get(n) for kf in clients for n in (1, 2, 3)))
        for kf in clients:
            await kf.aclose()
        assert sb.stats.logins == 1
        stored = {k: await redis.type(k) for k in await redis.keys("*")}
        values = [await redis.get(k) for k, kind in stored.items() if kind == "string"]
        assert sb.password not in str(values) and sb.memorable_word not in str(values)
        sealed = await redis.get(coord.keys.token)
        assert sealed is not None and 0 < await redis.pttl(coord.keys.token) <= 3_600_000
        token = clients[0]._transport.auth.current
        assert token is not None and token not in sealed  # stored sealed, never in clear


async def test_a_client_given_a_token_shares_only_the_limits(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="a", rate_limit=200) as coord,
        KashFlowClient(token=sb.token, base_url=sb.url, coordinator=coord) as kf,
    ):
        await kf.invoices.get(1)
        assert await redis.exists(coord.keys.rate)
        assert not await redis.exists(coord.keys.token)


CREDENTIALS = {
    "username": "alice",
    "password": "pw",
    "memorable_word": "word",
    "base_url": "http://127.0.0.1:1/v2",
}


async def test_a_stale_token_never_deletes_a_newer_one(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with RedisCoordinator(redis_server.url, namespace="a") as coord:
        writer = coord.session_for(**CREDENTIALS)
        assert await writer.renew(None, _returns("newer")) == "newer"
        stored = await redis.get(coord.keys.token)

        async def must_not_login() -> str:
            raise AssertionError("logged in although a newer token was shared")

        reader = coord.session_for(**CREDENTIALS)
        assert await reader.renew("older", must_not_login) == "newer"
        assert await redis.get(coord.keys.token) == stored


def _returns(token: str) -> Callable[[], Awaitable[str]]:
    async def login() -> str:
        return token

    return login


async def test_one_login_while_others_wait_for_it(redis_server: RedisServer) -> None:
    coords = [RedisCoordinator(redis_server.url, namespace="a") for _ in range(3)]
    logins = 0
    release = asyncio.Event()

    async def login() -> str:
        nonlocal logins
        logins += 1
        await release.wait()
        return "fresh"

    renewals = [
        asyncio.ensure_future(c.session_for(**CREDENTIALS).renew("expired", login)) for c in coords
    ]
    await asyncio.sleep(0.2)
    release.set()
    assert await asyncio.gather(*renewals) == ["fresh"] * 3
    assert logins == 1
    for coord in coords:
        await coord.aclose()


async def test_after_logout_the_logged_out_token_is_not_taken_back(
    redis_server: RedisServer, redis: Redis
) -> None:
    async with (
        Sandbox() as sb,
        RedisCoordinator(redis_server.url, namespace="a") as coord,
        KashFlowClient(
            username=sb.username,
            password=sb.password,
            memorable_word=sb.memorable_word,
            base_url=sb.url,
            coordinator=coord,
        ) as kf,
    ):
        await kf.invoices.get(1)
        old = await redis.get(coord.keys.token)
        await kf.logout()
        await kf.invoices.get(1)  # logs in again at once, without a 401 first
        assert [r.status for r in sb.stats.records if r.status == 401] == []
        assert sb.stats.logins == 2
        assert await redis.get(coord.keys.token) not in (None, old)
        await kf.logout()
        await coord.drain()
        assert not await redis.exists(coord.keys.token)  # removed on logout


async def test_the_clients_own_limits_still_apply_on_top(redis_server: RedisServer) -> None:
    async with (
        Sandbox(faults=Faults(latency=0.05)) as sb,
        RedisCoordinator(redis_server.url, namespace="a", max_in_flight=10) as coord,
        KashFlowClient(token=sb.token, base_url=sb.url, max_concurrency=2, coordinator=coord) as kf,
    ):
        await asyncio.gather(*(kf.invoices.get(n) for n in range(1, 13)))
        assert sb.stats.max_in_flight == 2
