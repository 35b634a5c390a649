"""The call's deadline: seconds for the whole call, every attempt and wait included.

Each rule is a small function: how long the next attempt may take (`attempt_timeout`),
whether a retry's wait still fits (`fits_before`), waiting for admission no longer than
the time left (`acquire_within`), and the error that says the deadline was the limit
hit (`deadline_error`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any, Protocol, TypeVar

from ..errors import APIError, DeadlineExceededError, TransportError

__all__ = [
    "acquire_within",
    "attempt_timeout",
    "deadline_error",
    "fits_before",
    "shielded_within",
]

T = TypeVar("T")


class _Admission(Protocol):
    async def acquire(self) -> None: ...
    def release(self) -> None: ...


def attempt_timeout(per_attempt: float | None, remaining: float) -> tuple[float, bool]:
    """``(seconds, cut)``: how long the next attempt may take, and whether the deadline
    (rather than the per-attempt timeout) set it."""
    if per_attempt is not None and per_attempt <= remaining:
        return per_attempt, False
    return max(remaining, 0.0), True


def fits_before(now: float, delay: float, deadline_at: float) -> bool:
    """Whether waiting `delay` seconds from `now` still leaves time for an attempt."""
    return now + delay < deadline_at


async def acquire_within(limits: _Admission, seconds: float) -> bool:
    """Take an admission from `limits` within `seconds`: True once taken (pair it with
    ``release()``), False if the time ran out first (nothing is then held)."""
    if seconds <= 0:
        return False
    waiter = asyncio.ensure_future(limits.acquire())
    try:
        done, _ = await asyncio.wait({waiter}, timeout=seconds)
    except BaseException:  # cancelled while waiting: leave nothing held
        await _abandon(waiter, limits)
        raise
    if done:
        waiter.result()  # an error from acquire() (a strict coordinator) is raised
        return True
    await _abandon(waiter, limits)
    return False


async def _abandon(waiter: asyncio.Future[None], limits: _Admission) -> None:
    """Cancel `waiter`; if it got its admission all the same, give it back."""
    waiter.cancel()
    with contextlib.suppress(BaseException):
        await waiter
    if not waiter.cancelled() and waiter.exception() is None:
        limits.release()


def deadline_error(
    *,
    deadline: float,
    method: str,
    url: str,
    attempts: int,
    last: BaseException | None,
    cut: bool = False,
) -> DeadlineExceededError:
    """The error of a call whose deadline ended it, naming the deadline and what the
    last attempt got (`cut`: the deadline cut it short)."""
    tail = f"; the last: {_short(last)}" if last is not None else ""
    if cut:
        tail = "; the last was cut short by it"
    return DeadlineExceededError(
        f"no success within the call's deadline of {deadline:g} s "
        f"({attempts} attempt{'s' if attempts != 1 else ''}{tail})",
        method=method,
        url=url,
        deadline=deadline,
        attempts=attempts,
    )


async def shielded_within(work: Awaitable[T], seconds: float) -> tuple[bool, T | None]:
    """Wait up to `seconds` for `work` (a login others may share), which goes on if the
    wait gives up: ``(True, result)``, or ``(False, None)`` when the time ran out."""
    task = asyncio.ensure_future(work)
    try:
        return True, await asyncio.wait_for(asyncio.shield(task), max(seconds, 0.0))
    except asyncio.TimeoutError:
        return False, None
    finally:
        if not task.done():  # its outcome is the business of those still waiting for it
            task.add_done_callback(_retrieve)


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _short(error: BaseException) -> str:
    """What an attempt got, without the request (the deadline error names it once)."""
    if isinstance(error, APIError):
        detail = error.message or error.error
        return f"HTTP {error.status}" + (f" {detail}" if detail else "")
    text = str(error)
    if isinstance(error, TransportError) and error.method:
        text = text.removesuffix(f" ({error.method} {error.url})")
    return text
