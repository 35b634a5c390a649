"""The sandbox's time: what session expiry, rate windows, ``Retry-After``, request arrival
times and injected latency run on. `SystemClock` is real time; `FakeClock` moves only when
told (or when something sleeps on it), so tests need no real waits."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock"]


class Clock(Protocol):
    """Monotonic seconds and a sleep on the same time line."""

    def now(self) -> float:
        """Seconds on a monotonic time line."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` on this clock."""
        ...


class SystemClock:
    """Real time: `time.monotonic` and `asyncio.sleep`."""

    def now(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """`asyncio.sleep(seconds)`."""
        await asyncio.sleep(seconds)


class FakeClock:
    """Time that moves only by `advance` or `sleep`. `sleep` records each delay in
    `sleeps`, moves the time on at once and yields to the event loop once, so sleepers
    still interleave (concurrent sleeps add up: fake time is one line). Share one with
    the client (``RetryPolicy(clock=fake.now, sleep=fake.sleep)``) to run the waits of
    both sides on fake time."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        #: every delay slept, in order
        self.sleeps: list[float] = []

    def now(self) -> float:
        """The current fake time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the time on by `seconds` (not negative)."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds})")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        """Record `seconds`, advance by it (negative counts as 0) and yield once."""
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)
