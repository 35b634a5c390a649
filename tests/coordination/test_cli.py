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
