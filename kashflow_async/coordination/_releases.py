"""Giving leases back by id, in batches, until Redis has them.

A release never waits for Redis and is never lost: ids released in one turn of the event
loop go in one script call; while Redis cannot be reached they are sent again (every
50-500 ms) until they land or the lease would have expired anyway. A release that runs
before its admit leaves a tombstone, so the late admit cannot take the slot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from ._keys import Keys
from ._link import Link, classify
from ._lua import RELEASE, Script

__all__ = ["Releases"]

logger = logging.getLogger("kashflow_async.coordination")

#: Most lease ids in one release call.
BATCH = 256
#: Retry delays while Redis cannot be reached (seconds): doubling from the first to the last.
FIRST_RETRY, LAST_RETRY = 0.05, 0.5

_release = Script(RELEASE)


class Releases:
    """The lease ids this coordinator still has to give back, and the one task that does."""

    __slots__ = ("_args", "_clock", "_keys", "_link", "_pending", "_task")

    def __init__(
        self,
        link: Link,
        keys: Keys,
        tombstone_us: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._link = link
        self._keys = (keys.leases, keys.released)
        self._args = (tombstone_us,)
        self._clock = clock
        #: lease id -> when (monotonic) the lease expires anyway, so stop trying
        self._pending: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, lease: str, give_up_after: float) -> None:
        """Give `lease` back soon; try until `give_up_after` seconds from now."""
        self._pending[lease] = self._clock() + give_up_after
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            delay = 0.0
            while self._pending:
                await asyncio.sleep(delay)  # 0: the releases of this turn go together
                delay = 0.0 if await self._send_some() else _next_delay(delay)
        finally:
            self._task = None

    async def _send_some(self) -> bool:
        """One release call; False when Redis could not be reached."""
        now = self._clock()
        pending = self._pending
        for lease in [lease for lease, until in pending.items() if until <= now]:
            del pending[lease]  # expired in Redis by now: nothing left to give back
        ids = list(pending)[:BATCH]
        if not ids:
            return True
        try:
            await self._link.pool.call(_release, self._keys, (*self._args, *ids))
        except Exception as exc:
            if classify(exc) != "outage":
                for lease in ids:
                    pending.pop(lease, None)
                logger.error(
                    "releasing %d lease(s) failed: %s", len(ids), self._link.misconfigured(exc)
                )
                return True
            self._link.pool.failed(exc, strict=self._link.strict)
            return False
        self._link.pool.answered()
        for lease in ids:
            pending.pop(lease, None)
        return True

    async def drain(self, timeout: float) -> None:
        """Wait up to `timeout` s for the pending releases; then stop trying (the leases
        expire on their own after `lease_seconds`)."""
        task = self._task
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            if self._pending:
                logger.warning(
                    "%d lease(s) could not be given back before closing: they expire on their own",
                    len(self._pending),
                )
            self._pending.clear()


def _next_delay(previous: float) -> float:
    return min(max(previous * 2.0, FIRST_RETRY), LAST_RETRY)
