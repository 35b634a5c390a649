"""Degraded mode: this process's share of the account while Redis is unreachable.

With N live processes last seen in the namespace's heartbeats, each applies
``rate_limit / N`` and ``max_in_flight / N`` (rounded down, at least 1), so that all of
them together stay within the account. The pacer starts one interval *after* the switch,
never with a burst: the last second before the outage was already spent at the shared rate.
"""

from __future__ import annotations

import asyncio
import time

from ..transport.limits import PACE, Slots

__all__ = ["LocalLimits", "share"]


def share(limit: int, live: int) -> int:
    """This process's part of an in-flight `limit` shared by `live` processes (≥ 1)."""
    return max(1, limit // max(1, live))


class LocalLimits:
    """`rate_limit / live` and `max_in_flight / live` enforced in this process alone."""

    __slots__ = ("_interval", "_slots", "_tat", "live")

    def __init__(self, rate_limit: float | None, max_in_flight: int | None, live: int) -> None:
        #: the live processes this share was computed for
        self.live = max(1, live)
        self._interval = self.live / (rate_limit * PACE) if rate_limit is not None else 0.0
        self._tat = time.monotonic() + self._interval
        self._slots = Slots(share(max_in_flight, self.live)) if max_in_flight is not None else None

    async def admit(self) -> None:
        """Wait for a slot, then for this process's share of the rate; pair with
        `release()`."""
        slots = self._slots
        if slots is not None:
            await slots.acquire()
        if self._interval:
            try:
                now = time.monotonic()
                at = max(self._tat, now)
                self._tat = at + self._interval
                if at > now:
                    await asyncio.sleep(at - now)
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        """Give back the slot taken by `admit()`."""
        if self._slots is not None:
            self._slots.release()
