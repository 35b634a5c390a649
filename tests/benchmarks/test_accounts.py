"""The accounts benchmark in miniature: several accounts on one connector and one Redis
pool, its table and its targets (no timings are asserted)."""

from __future__ import annotations

import os

import pytest

from benchmarks import accounts
from kashflow_async.coordination.testing import redis_server_path


def test_a_short_run_serves_every_account_on_one_connector_and_one_pool() -> None:
    if redis_server_path() is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; CI is set, so this test must run")
        pytest.skip("redis-server is not installed")
    results = accounts.run(accounts=(1, 4), rate=5.0, duration=0.3, loop="asyncio")
    runs = results["loops"]["asyncio"]
    for n in ("1", "4"):
        pooled, plain = runs[n][accounts.POOL], runs[n][accounts.PLAIN]
        assert pooled["connectors"] == plain["connectors"] == 1
        assert (pooled["redis_pools"], plain["redis_pools"]) == (1, 0)
        assert 1 <= pooled["redis_connections"] <= min(int(n), accounts.MAX_CONNECTIONS)
        assert plain["redis_connections"] == 0
        for figures in (pooled, plain):
            assert figures["throughput"] > 0 and figures["memory_per_account"] > 0
            assert figures["failed"] == 0
            assert figures["sockets"] >= 1
    text = accounts.render(results)
    assert "| 4 × one pool |" in text and "| 1 × no Redis |" in text
    names = [name for name, _, _ in accounts.targets(results)]
    assert any("one connector and one Redis pool" in name for name in names)
