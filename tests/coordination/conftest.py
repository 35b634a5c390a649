"""A real `redis-server` for the coordination tests (never a fake), and a pool of four
spawned worker processes. Without redis-server these tests are skipped, saying why,
unless ``CI`` is set: then they fail."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from kashflow_async.coordination.testing import RedisServer, redis_server_path
from tests.coordination import _workers


@pytest.fixture(scope="session")
def redis_available() -> None:
    if redis_server_path() is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the coordination tests must run")
        pytest.skip(reason)


@pytest.fixture
def redis_server(redis_available: None) -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def pool(redis_available: None) -> Iterator[ProcessPoolExecutor]:
    """Four worker processes, started once (spawn: nothing inherited from pytest)."""
    executor = ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn"))
    try:
        pids = set(executor.map(_workers.warm_up, [0.5] * 4))
        assert len(pids) == 4
        yield executor
    finally:
        executor.shutdown(cancel_futures=True)
