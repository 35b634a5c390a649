"""Worker processes for the coordination tests: each runs its own client (and its own
`RedisCoordinator`) against a shared sandbox, and reports what happened."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field

from kashflow_async import KashFlowClient, KashFlowError
from kashflow_async.coordination import RedisCoordinator


@dataclass(frozen=True)
class Job:
    """What one worker does: requests from `start_at` (wall clock) for `duration`
    seconds with `concurrency` tasks; then, if `then_file` is given, waits for that file
    and sends `then_requests` more, one at a time."""

    base_url: str
    redis_url: str
    namespace: str
    wire_format: str
    start_at: float
    duration: float
    credentials: tuple[str, str, str] | None = None
    token: str | None = None
    rate_limit: float | None = None
    max_in_flight: int | None = None
    lease_seconds: float | None = None
    strict: bool = False
    concurrency: int = 4
    resource: str = "invoices"
    then_file: str | None = None
    then_requests: int = 0


@dataclass
class Outcome:
    """What one worker saw."""

    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    then_errors: Counter[str] = field(default_factory=Counter)
    warnings: int = 0


class _CountWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def run(job: Job) -> Outcome:
    """The entry point of a worker process."""
    return asyncio.run(_run(job))


async def _run(job: Job) -> Outcome:
    counter = _CountWarnings()
    logging.getLogger("kashflow_async.coordination").addHandler(counter)
    outcome = Outcome()
    username, password, word = job.credentials or (None, None, None)
    async with (
        RedisCoordinator(
            job.redis_url,
            namespace=job.namespace,
            rate_limit=job.rate_limit,
            max_in_flight=job.max_in_flight,
            lease_seconds=job.lease_seconds,
            strict=job.strict,
        ) as coord,
        KashFlowClient(
            token=job.token,
            username=username,
            password=password,
            memorable_word=word,
            base_url=job.base_url,
            wire_format=job.wire_format,
            coordinator=coord,
        ) as kf,
    ):
        resource = getattr(kf, job.resource)
        await asyncio.sleep(max(0.0, job.start_at - time.time()))
        deadline = job.start_at + job.duration

        async def one(errors: Counter[str]) -> None:
            try:
                await resource.get(1)
                outcome.ok += 1
            except KashFlowError as exc:
                errors[type(exc).__name__] += 1

        async def loop() -> None:
            while time.time() < deadline:
                await one(outcome.errors)

        await asyncio.gather(*(loop() for _ in range(job.concurrency)))
        if job.then_file is not None:
            await _created(job.then_file)
            for _ in range(job.then_requests):
                await one(outcome.then_errors)
    outcome.warnings = counter.count
    return outcome


async def _created(path: str) -> None:
    """Return once another process has created `path` (no event crosses processes)."""
    while not os.path.exists(path):  # noqa: ASYNC110, ASYNC240 (a stat every 20 ms)
        await asyncio.sleep(0.02)


def warm_up(seconds: float) -> int:
    """Hold a pool process for a moment (so that the pool starts all of them)."""
    time.sleep(seconds)
    return os.getpid()
