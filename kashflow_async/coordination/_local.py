"""Degraded mode: this process's share of the account while Redis is unreachable.

With N live processes last seen in the namespace's heartbeats, each applies
``rate_limit / N`` (whole requests per one-second window, paced a little under) and
``max_in_flight / N`` (rounded down, at least 1), so that all of them together stay within
the account. The pacer starts one interval *after* the switch,
never with a burst: the last second before the outage was already spent at the shared rate.
"""

from __future__ import annotations

import asyncio
import math
import time

from ..transport.limits import PACE, Slots

__all__ = ["LocalLimits", "interval", "share"]

#: Spacing of degraded sends, as a multiple of 1/k seconds: a window of exactly one
#: second (or clocks a little apart) never fits k + 1 of them.
WINDOW_SLACK = 1.02


def interval(rate_limit: float, live: int) -> float:
    """Seconds between this process's sends, so that `live` processes together never put
    more than `rate_limit` requests in any one-second window.

    Evenly spaced sends at interval I fit ``floor(1/I) + 1`` into a one-second window, so
    each process is allowed k = floor(rate_limit x PACE / live) (at least 1) per window
    and spaces them a little over 1/k apart.
    """
    per_window = max(1, math.floor(rate_limit * PACE / max(1, live)))
    return WINDOW_SLACK / per_window


def share(limit: int, live: int) -> int:
    """This process's part of an in-flight `limit` shared by `live` processes (≥ 1)."""
    return max(1, limit // max(1, live))


class LocalLimits:
    """`rate_limit / live` and `max_in_flight / live` enforced in this process alone."""

    __slots__ = ("_interval", "_slots", "_tat", "live", "retired_at")

    def __init__(self, rate_limit: float | None, max_in_flight: int | None, live: int) -> None:
        #: the live processes this share was computed for
        self.live = max(1, live)
        self._interval = interval(rate_limit, self.live) if rate_limit is not None else 0.0
        self._tat = time.monotonic() + self._interval
        self._slots = Slots(share(max_in_flight, self.live)) if max_in_flight is not None else None
        #: when (monotonic) this share stops applying, once Redis answers again (0: not yet)
        self.retired_at = 0.0

    async def admit(self, horizon: float) -> bool:
        """Take a slot and this process's next turn at the rate, if that turn comes within
        `horizon` seconds (True: pair with `release()`); else wait `horizon` and answer
        False, holding nothing, so that the caller looks at Redis again first."""
        slots = self._slots
        if slots is not None:
            await slots.acquire()
        try:
            if self._interval:
                now = time.monotonic()
                at = max(self._tat, now)
                if at - now > horizon:
                    if slots is not None:
                        slots.release()
                        slots = None
                    await asyncio.sleep(horizon)
                    return False
                self._tat = at + self._interval
                if at > now:
                    await asyncio.sleep(at - now)
        except BaseException:
            if slots is not None:
                slots.release()
            raise
        return True

    def release(self) -> None:
        """Give back the slot taken by `admit()`."""
        if self._slots is not None:
            self._slots.release()
