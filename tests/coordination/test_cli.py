"""``kashflow --redis URL --namespace NS``: separate command runs share one account's
session and limits."""

from __future__ import annotations

import os
import subprocess
import sys

import redis

from kashflow_async.coordination.testing import RedisServer
from kashflow_async.sandbox import Sandbox
from tests.support.threads import sandbox_thread


def kashflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kashflow_async.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_command_runs_share_one_login_and_the_account_rate(redis_server: RedisServer) -> None:
    with sandbox_thread(Sandbox()) as sb:
        env = {
            "KASHFLOW_BASE_URL": sb.url,
            "KASHFLOW_USERNAME": sb.username,
            "KASHFLOW_PASSWORD": sb.password,
            "KASHFLOW_MEMORABLE_WORD": sb.memorable_word,
            "KASHFLOW_NAMESPACE": "acme",
            "KASHFLOW_ACCOUNT_RATE": "50",
        }
        first = kashflow("--redis", redis_server.url, "invoices", "get", "1", "-f", "json", env=env)
        assert first.returncode == 0, first.stderr
        second = kashflow(
            "invoices",
            "get",
            "2",
            "-f",
            "json",
            env={**env, "KASHFLOW_REDIS_URL": redis_server.url},
        )
        assert second.returncode == 0, second.stderr
        assert sb.stats.logins == 1  # the second run took the token from Redis
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.exists("kashflow:{acme}:token", "kashflow:{acme}:rate") == 2
    finally:
        client.close()


def _env(sb: Sandbox, **changes: str) -> dict[str, str]:
    env = {
        "KASHFLOW_BASE_URL": sb.url,
        "KASHFLOW_USERNAME": sb.username,
        "KASHFLOW_PASSWORD": sb.password,
        "KASHFLOW_MEMORABLE_WORD": sb.memorable_word,
    }
    env.update(changes)
    return env


def test_a_wrong_password_after_a_good_run_fails_as_without_redis(
    redis_server: RedisServer,
) -> None:
    with sandbox_thread(Sandbox()) as sb:
        args = ("--redis", redis_server.url, "invoices", "get", "1", "-f", "json")
        good = kashflow(*args, env=_env(sb))
        assert good.returncode == 0, good.stderr
        for user in (sb.username, "mallory"):  # same default namespace, or its own
            bad = kashflow(*args, env=_env(sb, KASHFLOW_USERNAME=user, KASHFLOW_PASSWORD="wrong"))
            assert bad.returncode != 0
            assert '"Number"' not in bad.stdout  # no invoice printed
        assert sb.stats.logins == 1


def test_the_default_namespace_is_a_digest_of_base_url_and_username() -> None:
    from kashflow_async.cli.settings import default_namespace

    one = default_namespace("https://api.kashflow.com/v2", "alice")
    assert one == default_namespace("https://api.kashflow.com/v2", "alice")
    assert one != default_namespace("https://api.kashflow.com/v2", "bob")
    assert one != default_namespace("http://127.0.0.1:8080/v2", "alice")
    assert "alice" not in one and one != "default"


def test_a_wrong_redis_password_exits_non_zero_naming_it(redis_server: RedisServer) -> None:
    admin = redis.Redis.from_url(redis_server.url)
    admin.config_set("requirepass", "right")
    admin.close()
    url = f"redis://:wrong@127.0.0.1:{redis_server.port}/0"
    with sandbox_thread(Sandbox()) as sb:
        done = kashflow("--redis", url, "invoices", "get", "1", "-f", "json", env=_env(sb))
        assert done.returncode != 0
        assert "not an outage" in done.stderr
        assert "wrong" not in done.stderr.lower().replace("wrongpass", "")
        assert sb.stats.times("GET /invoices/{number}") == []


def test_redis_strict_fails_when_redis_is_unreachable() -> None:
    server = RedisServer()  # a free port nobody listens on
    server.stop()
    with sandbox_thread(Sandbox()) as sb:
        args = ("--redis", server.url, "invoices", "get", "1", "-f", "json")
        loose = kashflow(*args, env=_env(sb))
        assert loose.returncode == 0, loose.stderr
        strict = kashflow(*args, env=_env(sb, KASHFLOW_REDIS_STRICT="1"))
        assert strict.returncode != 0
        assert "unreachable" in strict.stderr
