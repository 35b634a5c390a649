"""Iterating over every item of a paginated list, fetching pages concurrently.

`PageIterator` asks for page 1, learns the page count from its ``TotalRecords``, then
keeps up to `concurrency` of the following pages in flight, each requested exactly
once, and yields their items strictly in page order. A request that finishes starts the
next one at once, without waiting for the consumer to reach its page, so requests run
continually; the pages it has not yet reached are held, up to ``2 * concurrency`` of
them (those running included), so that at most ``2 * concurrency + 1`` pages are held
at once counting the one being yielded, however slow the consumer. A resource's
`list()` fetches its pages raw and decodes each when the consumer reaches it, so the
requests that follow go out first and the pages held are bytes, not objects.

A server that lies is not followed far. Each page after the first is checked when the
consumer reaches it, and the listing ends (with one warning, and `stopped` saying why)
on evidence that the pages no longer describe one list: an empty page before the last
(`empty_before_last`), a page repeating the previous one's items (`repeats_previous`),
or a ``TotalRecords`` other than the first page's (`total_changed`). A first page that
is empty while ``TotalRecords`` promises more ends it at once. So no listing sends more
requests than ``ceil(TotalRecords / perpage)`` as the first page reported it.

Closing it (`aclose()`, ``async with``, `contextlib.aclosing`) cancels the pages in
flight and waits for them; an error or a cancellation while waiting for a page does the
same. An iterator dropped without being closed (``break`` out of ``async for``) cancels
its pages when it is garbage-collected, which in CPython happens at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import weakref
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar

from ._closing import AsyncClosing
from .errors import DecodeError
from .models import Page
from .transport.raw import RawResponse

__all__ = [
    "PageIterator",
    "RawPageIterator",
    "empty_before_last",
    "page_keys",
    "repeats_previous",
    "total_changed",
]

T = TypeVar("T")
F = TypeVar("F")

PageFetcher = Callable[[int], Coroutine[Any, Any, F]]

logger = logging.getLogger("kashflow_async")


# ---------------------------------------------------------------------------- evidence


def page_keys(items: Sequence[Any]) -> tuple[Any, ...]:
    """What identifies a page's items: each item's ``number`` (or ``code``) when it has
    one, else the item itself."""
    keys = []
    for item in items:
        key = getattr(item, "number", None)
        if key is None:
            key = getattr(item, "code", None)
        keys.append(item if key is None else key)
    return tuple(keys)


def empty_before_last(number: int, last: int, items: Sequence[Any]) -> str | None:
    """Why page `number` of `last` ends the listing if it is empty and not the last."""
    if not items and number < last:
        return f"page {number} is empty, but TotalRecords promised {last} pages"
    return None


def repeats_previous(
    number: int, previous: tuple[Any, ...] | None, keys: tuple[Any, ...]
) -> str | None:
    """Why page `number` ends the listing if its items are the previous page's again."""
    if keys and previous == keys:
        return f"page {number} repeats page {number - 1}"
    return None


def total_changed(number: int, first: int, now: int) -> str | None:
    """Why page `number` ends the listing if its ``TotalRecords`` is not the first page's."""
    if now != first:
        return f"TotalRecords changed from {first} on page 1 to {now} on page {number}"
    return None


async def _request(fetch: PageFetcher[F], number: int, pages: weakref.ref[_Pages[F]]) -> F:
    """Page `number`; when it has finished, the next request starts from here, in the
    same step: a done-callback would run a loop iteration later, after every other page
    that finished in this one has been decoded. `pages` is held weakly, so that a
    dropped iterator is still collected (and its pages cancelled) while they run."""
    ok = False
    try:
        fetched = await fetch(number)
        ok = True
        return fetched
    finally:
        owner = pages()
        if owner is not None:
            owner._finished(ok)


class _Pages(AsyncClosing, Generic[F]):
    """The fan-out over pages fetched as `F` (a `Page` or a raw page)."""

    __slots__ = (
        "__weakref__",
        "_closed",
        "_concurrency",
        "_failed",
        "_fetch",
        "_last",
        "_next",
        "_pending",
        "_perpage",
        "_previous",
        "_ref",
        "_running",
        "_taken",
        "stopped",
        "total_records",
    )

    def __init__(self, fetch: PageFetcher[F], *, perpage: int, concurrency: int) -> None:
        self._fetch = fetch
        self._perpage = perpage
        self._concurrency = concurrency
        #: the pages requested and not yet taken by the consumer, in page order
        self._pending: deque[asyncio.Task[F]] = deque()
        self._running = 0  # requests not finished, the one the consumer awaits included
        self._last: int | None = None  # page count, once page 1 is in
        self._next = 2
        self._closed = False
        self._failed = False  # a page failed: nothing more is requested
        self._ref = weakref.ref(self)
        #: ``TotalRecords`` of the first page (None until it has arrived).
        self.total_records: int | None = None
        #: why the listing ended before its last page (None: it did not)
        self.stopped: str | None = None
        self._taken = 0  # pages handed to the consumer
        self._previous: tuple[Any, ...] | None = None  # keys of the last page taken

    def _page(self, fetched: F) -> Page[Any]:
        """The decoded page of what `fetch` answered."""
        raise NotImplementedError

    @property
    def in_flight(self) -> int:
        """How many page requests are running or done but not yet taken by the consumer."""
        return len(self._pending)

    @property
    def running(self) -> int:
        """How many page requests are running (never more than `concurrency`)."""
        return self._running

    async def _next_page(self) -> F | None:
        if self._closed:
            return None
        try:
            if self._last is None:
                fetched = await self._fetch(1)
                page = self._page(fetched)
                total = page.meta.total_records
                if total < len(page.data):
                    # a missing MetaData or TotalRecords reads as 0: never take it for
                    # the end of the list
                    raise DecodeError(
                        f"TotalRecords is {total} but the first page holds {len(page.data)} items",
                        type_name="Page",
                        path="$.MetaData.TotalRecords",
                    )
                self.total_records = total
                self._last = max(1, math.ceil(total / self._perpage))
                self._taken = 1
                self._previous = page_keys(page.data)
                if not page.data and total:
                    await self._end(f"page 1 is empty, but TotalRecords is {total}")
                    return None
                self._schedule()
            elif self._pending:
                task = self._pending.popleft()
                self._schedule()  # a place among the pages held is free
                fetched = await task
                self._taken += 1
                reason = self._evidence(self._page(fetched))
                if reason is not None:
                    await self._end(reason)
                    return None
            else:
                self._closed = True
                return None
        except BaseException:
            await self._stop()
            raise
        return fetched

    def _evidence(self, page: Page[Any]) -> str | None:
        """Why `page` (the next one taken) ends the listing, or None to go on."""
        number, last, first = self._taken, self._last or 1, self.total_records or 0
        keys = page_keys(page.data)
        reason = (
            total_changed(number, first, page.meta.total_records)
            or empty_before_last(number, last, page.data)
            or repeats_previous(number, self._previous, keys)
        )
        self._previous = keys
        return reason

    async def _end(self, reason: str) -> None:
        """End the listing on evidence that the server's pages do not add up (logged)."""
        self.stopped = reason
        logger.warning("list stopped early: %s; the server's pages do not add up", reason)
        await self._stop()

    async def _stop(self) -> None:
        """Request nothing more; cancel the pages in flight and wait for them."""
        self._closed = True
        await self._cancel_pending()

    def _schedule(self) -> None:
        """Request the following pages while fewer than `concurrency` requests run and
        fewer than ``2 * concurrency`` pages wait for the consumer."""
        last = self._last
        if self._closed or self._failed or last is None:
            return
        pending = self._pending
        concurrency = self._concurrency
        held = 2 * concurrency
        fetch, ref = self._fetch, self._ref
        while self._running < concurrency and len(pending) < held and self._next <= last:
            number = self._next
            self._next += 1
            self._running += 1
            pending.append(
                asyncio.create_task(
                    _request(fetch, number, ref), name=f"kashflow_async page {number}"
                )
            )

    def _finished(self, ok: bool) -> None:
        """A page request has finished (`ok`: with a page): start the next one."""
        self._running -= 1
        if ok:
            self._schedule()
        else:
            # failed or cancelled: the consumer stops at this page, so the pages after
            # it would be asked for in vain
            self._failed = True

    def _cancel_nowait(self) -> list[asyncio.Task[F]]:
        self._closed = True  # no finished request starts another from now on
        tasks = list(self._pending)
        self._pending.clear()
        for task in tasks:
            if task.done():
                if not task.cancelled():
                    task.exception()  # retrieved: no "never retrieved" warning
            else:
                task.cancel()
        return tasks

    async def _cancel_pending(self) -> None:
        tasks = self._cancel_nowait()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Stop: cancel the pages in flight and wait until they have finished."""
        await self._stop()

    def __del__(self) -> None:
        if self._pending:
            # A closed loop has nothing left to cancel.
            with contextlib.suppress(RuntimeError):
                self._cancel_nowait()


class PageIterator(_Pages[Page[T] | RawResponse[Page[T]]]):
    """An async iterator over the items of every page of a list, in server order.

    `fetch(n)` requests page `n` (with the list's own query); `perpage` is the page size
    that query asks for, from which the page count follows. `fetch` may answer the page's
    `RawResponse`, decoded when the consumer reaches that page: the requests that follow
    then go out before it is decoded (resources list this way).
    """

    __slots__ = ("_items",)

    def __init__(
        self,
        fetch: PageFetcher[Page[T] | RawResponse[Page[T]]],
        *,
        perpage: int,
        concurrency: int,
    ) -> None:
        super().__init__(fetch, perpage=perpage, concurrency=concurrency)
        self._items: deque[T] = deque()

    def _page(self, fetched: Page[T] | RawResponse[Page[T]]) -> Page[T]:
        return fetched.parse() if isinstance(fetched, RawResponse) else fetched

    def __aiter__(self) -> PageIterator[T]:
        return self

    async def __anext__(self) -> T:
        items = self._items
        if items:
            return items.popleft()
        while not items:
            fetched = await self._next_page()
            if fetched is None:
                raise StopAsyncIteration
            try:
                page = self._page(fetched)
            except BaseException:
                await self._stop()
                raise
            items.extend(page.data)
        return items.popleft()

    async def aclose(self) -> None:
        """Stop: cancel the pages in flight and wait until they have finished."""
        self._items.clear()
        await super().aclose()


class RawPageIterator(_Pages[RawResponse[Page[T]]]):
    """An async iterator over the raw pages of a list (``with_raw_response.list()``):
    one `RawResponse` per page, in order, fetched exactly like `PageIterator`'s."""

    __slots__ = ()

    def _page(self, fetched: RawResponse[Page[T]]) -> Page[T]:
        return fetched.parse()

    def __aiter__(self) -> RawPageIterator[T]:
        return self

    async def __anext__(self) -> RawResponse[Page[T]]:
        page = await self._next_page()
        if page is None:
            raise StopAsyncIteration
        return page
