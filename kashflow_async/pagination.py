"""Iterating over every item of a paginated list, fetching pages concurrently.

`PageIterator` asks for page 1, learns the page count from its ``TotalRecords``, then
keeps up to `concurrency` of the following pages in flight, each requested exactly
once, and yields their items strictly in page order. At most ``concurrency + 1`` pages
are held at once (the one being yielded and those in flight).

Closing it (`aclose()`, ``async with``, `contextlib.aclosing`) cancels the pages in
flight and waits for them; an error or a cancellation while waiting for a page does the
same. An iterator dropped without being closed (``break`` out of ``async for``) cancels
its pages when it is garbage-collected, which in CPython happens at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

from ._closing import AsyncClosing
from .errors import DecodeError
from .models import Page
from .transport.raw import RawResponse

__all__ = ["PageIterator", "RawPageIterator"]

T = TypeVar("T")
F = TypeVar("F")

PageFetcher = Callable[[int], Coroutine[Any, Any, F]]


class _Pages(AsyncClosing, Generic[F]):
    """The fan-out over pages fetched as `F` (a `Page` or a raw page)."""

    __slots__ = (
        "_closed",
        "_concurrency",
        "_fetch",
        "_last",
        "_next",
        "_pending",
        "_perpage",
        "total_records",
    )

    def __init__(self, fetch: PageFetcher[F], *, perpage: int, concurrency: int) -> None:
        self._fetch = fetch
        self._perpage = perpage
        self._concurrency = concurrency
        self._pending: deque[asyncio.Task[F]] = deque()
        self._last: int | None = None  # page count, once page 1 is in
        self._next = 2
        self._closed = False
        #: ``TotalRecords`` of the first page (None until it has arrived).
        self.total_records: int | None = None

    def _page(self, fetched: F) -> Page[Any]:
        raise NotImplementedError

    @property
    def in_flight(self) -> int:
        """How many page requests are running or done but not yet consumed."""
        return len(self._pending)

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
            elif self._pending:
                fetched = await self._pending.popleft()
            else:
                self._closed = True
                return None
        except BaseException:
            self._closed = True
            await self._cancel_pending()
            raise
        self._schedule()
        return fetched

    def _schedule(self) -> None:
        last = self._last
        assert last is not None
        pending = self._pending
        while len(pending) < self._concurrency and self._next <= last:
            number = self._next
            self._next += 1
            pending.append(
                asyncio.create_task(self._fetch(number), name=f"kashflow_async page {number}")
            )

    def _cancel_nowait(self) -> list[asyncio.Task[F]]:
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
        self._closed = True
        await self._cancel_pending()

    def __del__(self) -> None:
        if self._pending:
            # A closed loop has nothing left to cancel.
            with contextlib.suppress(RuntimeError):
                self._cancel_nowait()


class PageIterator(_Pages[Page[T]]):
    """An async iterator over the items of every page of a list, in server order.

    `fetch(n)` requests page `n` (with the list's own query); `perpage` is the page size
    that query asks for, from which the page count follows.
    """

    __slots__ = ("_items",)

    def __init__(self, fetch: PageFetcher[Page[T]], *, perpage: int, concurrency: int) -> None:
        super().__init__(fetch, perpage=perpage, concurrency=concurrency)
        self._items: deque[T] = deque()

    def _page(self, fetched: Page[T]) -> Page[T]:
        return fetched

    def __aiter__(self) -> PageIterator[T]:
        return self

    async def __anext__(self) -> T:
        items = self._items
        if items:
            return items.popleft()
        while not items:
            page = await self._next_page()
            if page is None:
                raise StopAsyncIteration
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
