"""Client-wide limits: requests in flight, request rate, and the 429 pause gate."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiolimiter import AsyncLimiter

__all__ = ["Admission", "Limits", "PauseGate", "Slots", "bucket"]

#: The most requests the rate limiter lets through back to back.
MAX_BURST = 2.0
#: Share of `rate_limit` the client paces at: the headroom absorbs scheduling jitter, so
#: that no one-second window at the server sees more than `rate_limit` requests.
PACE = 0.97


def bucket(rate_limit: float) -> tuple[float, float]:
    """``(burst, period)`` of the leaky bucket that keeps under `rate_limit` per second."""
    # a burst costs (burst - 1) requests of headroom a second: only worth it at high rates
    burst = MAX_BURST if rate_limit >= 100 else 1.0
    drain = rate_limit * PACE - (burst - 1.0)
    return burst, burst / drain


class PauseGate:
    """A gate every attempt passes before sending; a 429 ``Retry-After`` closes it for
    the whole client until that time has passed."""

    __slots__ = ("_clock", "_sleep", "_until")

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]):
        self._clock = clock
        self._sleep = sleep
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every request for `seconds` from now (an earlier pause is never shortened)."""
        self._until = max(self._until, self._clock() + seconds)

    @property
    def remaining(self) -> float:
        """Seconds until the gate opens (0 when open)."""
        return max(0.0, self._until - self._clock())

    def is_open(self) -> bool:
        """Whether a request may pass now (no clock read if it was never closed)."""
        until = self._until
        return not until or until <= self._clock()

    async def wait(self) -> None:
        """Return once the gate is open (at once, in the common case)."""
        while (remaining := self._until - self._clock()) > 0:
            await self._sleep(remaining)


class Slots:
    """A first-come, first-served semaphore whose free slots are taken without an
    ``await`` (`try_take`): the common case of the request path costs no coroutine."""

    __slots__ = ("_value", "_waiters")

    def __init__(self, value: int) -> None:
        #: free slots (0 while requests wait: a released slot goes to the first waiter)
        self._value = value
        self._waiters: deque[asyncio.Future[None]] = deque()

    def try_take(self) -> bool:
        """Take a free slot now if nobody waits for one; False: use `acquire()`."""
        if self._value > 0 and not self._waiters:
            self._value -= 1
            return True
        return False

    async def acquire(self) -> None:
        """Wait for a slot (in arrival order); pair with `release()`."""
        if self.try_take():
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot while being cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Give a slot back: to the first waiter, else to the free slots."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._value += 1


class Admission(Protocol):
    """Limits shared beyond this client (e.g. `kashflow_async.coordination`): consulted
    after the client's own limits, for every attempt.

    Every `admit()` that returns holds one slot, which the admission names itself (a
    coordinator makes a lease id per admit, so that it can give that very lease back even
    when the admit's answer was lost); every `release()` gives back one slot. An `admit()`
    that raises (cancelled, timed out, failed) holds nothing: the admission gives back
    whatever it may have taken, and `release()` is not called for it.
    """

    async def admit(self) -> None:
        """Wait until the shared limits let one more attempt go; pair with `release()`."""

    def release(self) -> None:
        """The attempt admitted by `admit()` is over: one slot goes back (never waits)."""

    def pause(self, seconds: float) -> None:
        """A 429 asked to hold every request for `seconds`."""


class Limits:
    """Admission of attempts: at most `max_concurrency` in flight, at most `rate_limit`
    per second, and the pause gate.

    `rate_limit` is a ceiling, not a target: a leaky bucket with a burst of up to
    `MAX_BURST` drains at `PACE` of the rate less the burst, so any one-second window holds
    at most ``burst - 1 + drain`` < `rate_limit` sends, with room for timing jitter.

    The gate is checked after a slot is taken, so a pause that starts while requests
    queue for slots holds them too. A `shared` admission (None: none) comes last.
    """

    __slots__ = (
        "_limiter",
        "_semaphore",
        "_unpaced",
        "gate",
        "max_concurrency",
        "rate_limit",
        "shared",
    )

    def __init__(
        self,
        *,
        max_concurrency: int,
        rate_limit: float | None,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        shared: Admission | None = None,
    ) -> None:
        self.shared = shared
        self.max_concurrency = max_concurrency
        self.rate_limit = rate_limit
        self._semaphore = Slots(max_concurrency)
        self._limiter: AsyncLimiter | None = None
        if rate_limit is not None:
            self._limiter = AsyncLimiter(*bucket(rate_limit))
        self.gate = PauseGate(clock, sleep)
        #: no rate limiter and no shared admission: `try_acquire` may admit at once
        self._unpaced = self._limiter is None and shared is None

    def try_acquire(self) -> bool:
        """Admit an attempt at once when nothing could make it wait (a free slot, the
        gate open, no rate limit, no shared admission); False: await `acquire()`.
        Pair a True with `release()`."""
        if not self._unpaced:
            return False
        until = self.gate._until
        if until and until > self.gate._clock():
            return False
        slots = self._semaphore  # Slots.try_take, inlined: this runs for every attempt
        if slots._value > 0 and not slots._waiters:
            slots._value -= 1
            return True
        return False

    async def acquire(self) -> None:
        """Wait for a slot, the gate and the rate limiter; pair with `release()`."""
        await self._semaphore.acquire()
        try:
            await self.gate.wait()
            if self._limiter is not None:
                await self._limiter.acquire()
            if self.shared is not None:
                await self.shared.admit()
        except BaseException:
            self._semaphore.release()
            raise

    def release(self) -> None:
        """Give back the slot taken by `acquire()`."""
        slots = self._semaphore
        if slots._waiters:
            slots.release()
        else:
            slots._value += 1
        if self.shared is not None:
            self.shared.release()

    def pause(self, seconds: float) -> None:
        """Hold every request for `seconds` (a 429's ``Retry-After``), here and shared."""
        self.gate.pause(seconds)
        if self.shared is not None:
            self.shared.pause(seconds)
