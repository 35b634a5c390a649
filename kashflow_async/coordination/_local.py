"""The per-process limits used while Redis is unreachable (and the local half of a pause)."""

from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter

from ..transport.limits import PauseGate, bucket

__all__ = ["LocalLimits"]


class LocalLimits:
    """`rate_limit` and `max_in_flight` enforced in this process alone, and a pause gate."""

    __slots__ = ("_limiter", "_slots", "gate")

    def __init__(self, rate_limit: float | None, max_in_flight: int | None) -> None:
        self._limiter = AsyncLimiter(*bucket(rate_limit)) if rate_limit is not None else None
        self._slots = asyncio.Semaphore(max_in_flight) if max_in_flight is not None else None
        self.gate = PauseGate(time.monotonic, asyncio.sleep)

    async def admit(self) -> None:
        """Wait for the gate, a slot and the rate; pair with `release()`."""
        await self.gate.wait()
        if self._slots is not None:
            await self._slots.acquire()
        if self._limiter is not None:
            try:
                await self._limiter.acquire()
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        """Give back the slot taken by `admit()`."""
        if self._slots is not None:
            self._slots.release()
