"""A chaos worker process: its own client and `RedisCoordinator`, requests in a loop with
random (seeded) cancellations, until a stop file appears; then it writes what it saw."""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kashflow_async import KashFlowClient, KashFlowError
from kashflow_async.coordination import RedisCoordinator


@dataclass(frozen=True)
class ChaosJob:
    base_url: str
    redis_url: str
    credentials: tuple[str, str, str]
    rate_limit: float
    max_in_flight: int
    directory: str
    name: str
    seed: int
    lease_seconds: float | None = None
    concurrency: int = 4
    #: share of requests wrapped in a random short timeout (cancelled mid-way)
    cancel_share: float = 0.15


def run(job: ChaosJob) -> None:
    """The entry point of a chaos worker process."""
    asyncio.run(_run(job))


async def _run(job: ChaosJob) -> None:
    rng = random.Random(job.seed)
    directory = Path(job.directory)
    stop = directory / "stop"
    ok = cancelled = 0
    errors: Counter[str] = Counter()
    username, password, word = job.credentials
    async with (
        RedisCoordinator(
            job.redis_url,
            namespace="chaos",
            rate_limit=job.rate_limit,
            max_in_flight=job.max_in_flight,
            lease_seconds=job.lease_seconds,
        ) as coord,
        KashFlowClient(
            username=username,
            password=password,
            memorable_word=word,
            base_url=job.base_url,
            coordinator=coord,
        ) as kf,
    ):
        (directory / f"ready-{job.name}").write_text(coord._batcher.prefix)

        async def loop() -> None:
            nonlocal ok, cancelled
            while not stop.exists():
                request = kf.invoices.get(1 + rng.randrange(50))
                try:
                    if rng.random() < job.cancel_share:
                        await asyncio.wait_for(request, rng.uniform(0.0, 0.03))
                    else:
                        await request
                    ok += 1
                except asyncio.TimeoutError:
                    cancelled += 1
                except KashFlowError as exc:
                    errors[f"{type(exc).__name__}: {exc}"[:200]] += 1

        await asyncio.gather(*(loop() for _ in range(job.concurrency)))
    outcome = {"ok": ok, "cancelled": cancelled, "errors": dict(errors), "pid": os.getpid()}
    (directory / f"outcome-{job.name}.json").write_text(json.dumps(outcome))
