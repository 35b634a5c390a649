"""Shared admission of one process: concurrent admits coalesced into one script call.

Callers queue; the first becomes the *driver* and asks Redis for as many slots as there
are callers waiting (one lease id each). The script grants what the rate and the free
slots allow; the driver wakes the callers granted, sleeps what the script said for the
rest, and asks again. Once its own slot is granted it hands the driving to the next
caller still waiting. One round trip thus serves many callers, and only one caller at a
time waits on Redis.

Every lease id whose admit may have run is given back by id (`Releases`): a caller
cancelled while its admit is in flight or just granted, and every id of a call whose
answer was lost (timeout, reset, cancellation). The script never takes an id released
before it ran.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ._keys import Keys
from ._link import Link
from ._lua import ADMIT, Script
from ._releases import Releases

__all__ = ["Batcher"]

#: Most callers one script call asks slots for.
BATCH = 64

# what a waiting caller is told
_GRANTED = 1
_DRIVE = 2
# where a caller's lease id is
_QUEUED = 0
_SENT = 1
_TAKEN = 2

_admit = Script(ADMIT)


class _Caller:
    __slots__ = ("abandoned", "future", "lease", "state")

    def __init__(self, future: asyncio.Future[int], lease: str) -> None:
        self.future = future
        self.lease = lease
        self.state = _QUEUED
        self.abandoned = False


def lease_ids(prefix: str) -> Iterator[str]:
    """Lease ids unique across processes: a random `prefix` and a counter."""
    return map(f"{prefix}:{{}}".format, itertools.count())


class Batcher:
    """Admission through Redis for the callers of one coordinator (see the module)."""

    __slots__ = (
        "_args",
        "_capped",
        "_driver",
        "_ids",
        "_keys",
        "_link",
        "_next_at",
        "_queue",
        "_releases",
        "_seen_live",
        "lease_seconds",
        "prefix",
    )

    def __init__(
        self,
        link: Link,
        keys: Keys,
        args: tuple[Any, ...],
        *,
        capped: bool,
        lease_seconds: float,
        releases: Releases,
        seen_live: Callable[[int], None],
    ) -> None:
        self._link = link
        self._keys = (keys.rate, keys.paused, keys.leases, keys.released, keys.heartbeats)
        self._args = args
        self._capped = capped
        self.lease_seconds = lease_seconds
        self._releases = releases
        self._seen_live = seen_live
        self._queue: deque[_Caller] = deque()
        self._driver: _Caller | None = None
        #: when (loop time) the script said the next slot comes (0: ask at once)
        self._next_at = 0.0
        #: the random start of every lease id this batcher makes
        self.prefix = secrets.token_hex(8)
        self._ids = lease_ids(self.prefix)

    def _new_id(self) -> str:
        return next(self._ids) if self._capped else ""

    async def admit(self) -> str:
        """Wait for one slot of the account; its lease id ("" without `max_in_flight`).
        Raises what `Link.run` raises (`Unavailable`, `CoordinationError`)."""
        caller = _Caller(asyncio.get_running_loop().create_future(), self._new_id())
        self._queue.append(caller)
        if self._driver is None:
            self._driver = caller
            role = _DRIVE
        else:
            role = await self._wait(caller)
        if role == _DRIVE:
            await self._drive(caller)
        return caller.lease

    async def _wait(self, caller: _Caller) -> int:
        try:
            return await caller.future
        except asyncio.CancelledError:
            future = caller.future
            told = future.result() if future.done() and not future.cancelled() else None
            self._abandon(caller)
            if told == _DRIVE:
                self._hand_over()
            raise

    def _abandon(self, caller: _Caller) -> None:
        """`caller` gave up: its id goes back if its admit may have run."""
        caller.abandoned = True
        if caller.state != _QUEUED and caller.lease:
            self._releases.add(caller.lease, self.lease_seconds)

    def _hand_over(self) -> None:
        """The driver is done: the first caller still waiting drives next."""
        queue = self._queue
        while queue:
            nxt = queue[0]
            # (a done future: its caller was cancelled and has not yet run to say so)
            if nxt.abandoned or nxt.state == _TAKEN or nxt.future.done():
                queue.popleft()
                continue
            self._driver = nxt
            nxt.future.set_result(_DRIVE)
            return
        self._driver = None

    async def _drive(self, me: _Caller) -> None:
        loop = asyncio.get_running_loop()
        try:
            while me.state != _TAKEN:
                # the last answer said when the next slot comes: no point asking sooner
                if (delay := self._next_at - loop.time()) > 0:
                    await asyncio.sleep(delay)
                wait = await self._ask()
                self._next_at = loop.time() + wait / 1_000_000 if wait > 0 else 0.0
        except BaseException as exc:
            if me.state == _TAKEN:
                pass  # our slot was granted: the caller owns it and releases it
            else:
                self._abandon(me)
            if isinstance(exc, asyncio.CancelledError):
                self._hand_over()
            else:
                self._fail_all(exc)
            raise
        self._hand_over()

    async def _ask(self) -> int:
        """One script call for the first waiting callers; the µs to wait before asking
        again for those not granted."""
        queue = self._queue
        batch = [c for c in itertools.islice(queue, BATCH * 2) if not c.abandoned][:BATCH]
        for caller in batch:
            caller.state = _SENT
        ids = tuple(c.lease for c in batch) if self._capped else ()
        try:
            answer = await self._link.run(_admit, self._keys, (*self._args, len(batch), *ids))
        except BaseException:
            self._lost(batch)
            raise
        wait, live, *granted = (int(x) for x in answer)
        self._seen_live(live)
        for caller in batch:
            caller.state = _QUEUED
        for position in granted:
            caller = batch[position - 1]
            caller.state = _TAKEN
            if caller.abandoned:  # gave up while the call was out: give it back
                self._releases.add(caller.lease, self.lease_seconds)
            elif not caller.future.done():  # (the driver's own is not awaited)
                caller.future.set_result(_GRANTED)
        self._queue = deque(c for c in queue if c.state != _TAKEN and not c.abandoned)
        return wait

    def _lost(self, batch: list[_Caller]) -> None:
        """The answer for `batch` never came: each id may have been taken, so each goes
        back by id, and each caller still waiting asks again under a new id."""
        for caller in batch:
            if caller.lease and not caller.abandoned:
                self._releases.add(caller.lease, self.lease_seconds)
                caller.lease = self._new_id()
            caller.state = _QUEUED

    def _fail_all(self, exc: BaseException) -> None:
        """Redis failed the driver: every caller waiting gets the same error."""
        queue, self._queue = self._queue, deque()
        self._driver = None
        for caller in queue:
            if not caller.future.done() and not caller.abandoned:
                caller.future.set_exception(exc)
