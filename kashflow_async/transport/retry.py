"""Which failures are retried, how long to wait, and the retry loop.

The first attempt of every request runs outside this module; only a retryable failure
hands the request over to `retry_after_failure`, so the success path pays nothing.

The loop is our own, a dozen lines, on purpose. What a retry library would give us is
its stop, wait, sleep and before-sleep strategies, and every one of them is ours
here: the stop is `max_retries`, the wait is the server's ``Retry-After`` or our
jittered backoff (`RetryPolicy`, with injectable randomness, clock and sleep for
tests), the before-sleep step logs and emits the ``retry`` event (status, delay,
attempt, max retries) to hooks, which may be async. Wrapping tenacity meant replacing
all four and replaying the first failure (already handled outside) so that it counted
it, for a state object per retry and a dependency that decided nothing.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..errors import KashFlowError
from ._deadline import fits_before

__all__ = [
    "Failure",
    "RetryPolicy",
    "parse_retry_after",
    "retry_after_failure",
    "retry_after_is_usable",
    "status_is_retryable",
]

T = TypeVar("T")

logger = logging.getLogger("kashflow_async")

#: Statuses retried for GET, PUT, DELETE (and the login requests).
IDEMPOTENT_RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Statuses retried for POST: the server refused the request before acting on it.
POST_RETRY_STATUSES = frozenset({429, 503})


def status_is_retryable(status: int, *, idempotent: bool) -> bool:
    """Whether an answer with `status` may be retried for this kind of request."""
    return status in (IDEMPOTENT_RETRY_STATUSES if idempotent else POST_RETRY_STATUSES)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff timing, and the clock, sleep and randomness it runs on.

    The delay before retry *n* (1-based) is ``random() * min(cap, base * 2 ** (n - 1))``
    (exponential backoff with full jitter), unless the server sent ``Retry-After``: that
    wait is honoured when it is at most `max_retry_after` seconds; a longer one makes the
    request fail at once with `RateLimitError` (or `ServerError` for a 503). `sleep`,
    `random`, `clock` (monotonic) and `wall_clock` (epoch seconds, for HTTP-date
    ``Retry-After``) are injectable so that tests control time.
    """

    base: float = 0.5
    cap: float = 8.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    wall_clock: Callable[[], float] = field(default=time.time, repr=False)

    def backoff(self, retry_number: int) -> float:
        """The jittered delay before retry `retry_number` (1 for the first retry)."""
        ceiling = min(self.cap, self.base * 2.0 ** min(retry_number - 1, 62))
        return self.random() * ceiling


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    `now` is the current epoch time (for the date form). An unreadable value gives None,
    and so does a wait of zero or less (a negative number, a date now or in the past):
    the server said nothing usable about when, so the request waits the normal backoff
    (`retry_after_is_usable`), never retrying at once.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            return None
        seconds = when.timestamp() - now
    return seconds if retry_after_is_usable(seconds) else None


def retry_after_is_usable(seconds: float) -> bool:
    """Whether a ``Retry-After`` of `seconds` is a wait to honour: finite and above zero.

    Zero, a negative value or a date already past would otherwise send every attempt
    back to back; the caller falls back to the normal backoff instead.
    """
    return math.isfinite(seconds) and seconds > 0


class Failure(Exception):
    """Internal: a retryable failed attempt. Never escapes the transport.

    `error` is what the caller gets if no retry succeeds; `delay` a wait the server
    imposed (``Retry-After``), or None for the policy's backoff.
    """

    def __init__(self, error: KashFlowError, delay: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.delay = delay

    def unwrap(self) -> KashFlowError:
        """The error to raise, with this wrapper hidden from its traceback context."""
        self.error.__suppress_context__ = True
        return self.error


async def retry_after_failure(
    first: Failure,
    attempt: Callable[[], Awaitable[T]],
    *,
    max_retries: int,
    policy: RetryPolicy,
    label: str,
    on_retry: Callable[[Failure, int, float], Awaitable[None]] | None = None,
    deadline_at: float | None = None,
    past_deadline: Callable[[Failure], BaseException] | None = None,
) -> T:
    """Retry a request whose first attempt failed with `first`.

    `attempt()` makes the next attempt and either returns the result, raises `Failure`
    (retryable) or raises anything else (final). At most `max_retries` further attempts
    are made; when they are used up the last failure's error is raised. Before each
    wait, `on_retry(failure, retry_number, delay)` is awaited (the event hooks).
    A wait that would not end before `deadline_at` (a `policy.clock` reading) is not
    made: `past_deadline(failure)` is raised instead.
    """
    failure = first
    retry = 0
    while retry < max_retries:
        retry += 1
        delay = failure.delay if failure.delay is not None else policy.backoff(retry)
        if deadline_at is not None and not fits_before(policy.clock(), delay, deadline_at):
            assert past_deadline is not None
            raise past_deadline(failure) from failure.error
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s failed (%s), retry %d of %d in %.2f s",
                label,
                failure,
                retry,
                max_retries,
                delay,
            )
        if on_retry is not None:
            await on_retry(failure, retry, delay)
        await policy.sleep(delay)
        try:
            return await attempt()
        except Failure as again:
            failure = again
    raise failure.unwrap() from failure.error.__cause__
