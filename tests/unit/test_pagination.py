"""PageIterator: order, each page once, the fan-out bound, and cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from kashflow_async import (
    DecodeError,
    Invoice,
    KashFlowClient,
    NotFoundError,
    Page,
    PageIterator,
    RawResponse,
    get_codec,
)
from kashflow_async.models import PageMeta
from kashflow_async.pagination import empty_before_last, page_keys, repeats_previous, total_changed


class Pages:
    """A fake paginated list: records requests, pages in flight and cancellations."""

    def __init__(self, total: int, perpage: int, *, hold: bool = False) -> None:
        self.total = total
        self.perpage = perpage
        self.requested: list[int] = []
        self.in_flight = 0
        self.peak_after_first = 0
        self.cancelled: list[int] = []
        self.finished: list[int] = []
        self.hold = hold
        self.release = asyncio.Event()
        self.fail: dict[int, Exception] = {}
        self.gates: dict[int, asyncio.Event] | None = None  # per page, when set

    async def fetch(self, n: int) -> Page[int]:
        self.requested.append(n)
        self.in_flight += 1
        if n > 1:
            self.peak_after_first = max(self.peak_after_first, self.in_flight)
        try:
            if self.hold and n > 1:
                await self.release.wait()
            if self.gates is not None and n > 1:
                await self.gates.setdefault(n, asyncio.Event()).wait()
            # later pages finish first: order must come from the iterator, not the timing
            for _ in range(max(0, 12 - n)):
                await asyncio.sleep(0)
            if n in self.fail:
                raise self.fail[n]
            first = (n - 1) * self.perpage
            items = list(range(first, min(first + self.perpage, self.total)))
            self.finished.append(n)
            return Page[int](data=items, meta=PageMeta(total_records=self.total))
        except asyncio.CancelledError:
            self.cancelled.append(n)
            raise
        finally:
            self.in_flight -= 1


async def until(condition: Callable[[], bool], step: float = 0) -> None:
    """Yield to the loop until `condition()` holds (callers bound the time)."""
    while not condition():  # noqa: ASYNC110 - polling state the fakes expose
        await asyncio.sleep(step)


async def drain(it: Any, seen: list[Any], fail_on: int | None = None) -> None:
    """Consume `it` into `seen`, raising KeyError at item `fail_on`."""
    async for x in it:
        await asyncio.sleep(0)  # give the page requests a turn
        if x == fail_on:
            raise KeyError("consumer failed")
        seen.append(x)


def others() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]


@pytest.mark.parametrize(
    ("total", "perpage", "pages"),
    [(23, 5, 5), (20, 5, 4), (1, 5, 1), (0, 5, 1), (500, 500, 1), (501, 500, 2)],
)
@pytest.mark.parametrize("concurrency", [1, 2, 4, 8])
async def test_every_item_in_order_each_page_once(
    total: int, perpage: int, pages: int, concurrency: int
) -> None:
    fake = Pages(total, perpage)
    it = PageIterator(fake.fetch, perpage=perpage, concurrency=concurrency)
    assert [x async for x in it] == list(range(total))
    assert sorted(fake.requested) == list(range(1, pages + 1))
    assert fake.requested[0] == 1
    assert it.total_records == total
    assert others() == set()


@pytest.mark.parametrize("concurrency", [1, 3, 4])
async def test_fan_out_never_exceeds_concurrency(concurrency: int) -> None:
    fake = Pages(100, 5)  # 20 pages
    it = PageIterator(fake.fetch, perpage=5, concurrency=concurrency)
    seen = []
    async for x in it:
        seen.append(x)
        assert fake.in_flight <= concurrency  # requests running
        assert it.running <= concurrency
        assert it.in_flight <= 2 * concurrency  # plus the page being yielded: 2c + 1
    assert seen == list(range(100))
    assert fake.peak_after_first == concurrency


async def test_a_slow_consumer_holds_at_most_twice_concurrency_plus_one_pages() -> None:
    fake = Pages(100, 5)
    it = PageIterator(fake.fetch, perpage=5, concurrency=3)
    async with contextlib.aclosing(it):
        assert await anext(it) == 0
        for _ in range(200):  # let every fetch that may run, run
            await asyncio.sleep(0)
        # page 1 being yielded, pages 2-7 done and waiting: 2 * 3 + 1 pages held
        assert sorted(fake.requested) == list(range(1, 8))
        assert it.in_flight == 6
        assert it.running == 0
        for expected in range(1, 6):  # the rest of page 1, then page 2 is taken
            assert await anext(it) == expected
        for _ in range(200):
            await asyncio.sleep(0)
        assert sorted(fake.requested) == list(range(1, 9))
        assert it.in_flight == 6


class Gated(Pages):
    """Pages after the first wait for their own gate (`open(n)`)."""

    def __init__(self, total: int, perpage: int) -> None:
        super().__init__(total, perpage)
        self.gates = {}

    def open(self, n: int) -> None:
        assert self.gates is not None
        self.gates.setdefault(n, asyncio.Event()).set()


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_finished_page_starts_the_next_request_without_the_consumer() -> None:
    fake = Gated(100, 5)  # 20 pages
    it = PageIterator(fake.fetch, perpage=5, concurrency=3)
    async with contextlib.aclosing(it):
        assert await anext(it) == 0  # the consumer holds still from here on
        await settle()
        assert sorted(fake.requested) == [1, 2, 3, 4]
        # page 2 (the next the consumer needs) stays out; pages after it finish, and
        # each starts the next request at once
        for n, asked in ((3, 5), (4, 6), (5, 7)):
            fake.open(n)
            await settle()
            assert sorted(fake.requested) == list(range(1, asked + 1))
            assert it.running == 3
        # 2 * 3 pages held besides the one being yielded: no more requests, even as
        # the running ones finish
        for n in (6, 7, 2):
            fake.open(n)
            await settle()
            assert sorted(fake.requested) == list(range(1, 8))
        assert it.running == 0
        assert it.in_flight == 6
        # taking a page frees a place
        assert [await anext(it) for _ in range(6)] == list(range(1, 7))
        await settle()
        assert sorted(fake.requested) == list(range(1, 9))
        assert it.running == 1


class Decoded(RawResponse[Page[int]]):
    """A raw page that records when it is decoded."""

    __slots__ = ("log", "number", "page")

    def __init__(self, number: int, page: Page[int], log: list[tuple[str, int]]) -> None:
        super().__init__(
            status=200,
            headers=CIMultiDictProxy(CIMultiDict()),
            content=b"",
            elapsed=0.0,
            attempts=1,
            http_version="1.1",
            method="GET",
            url=f"/invoices?page={number}",
            codec=get_codec("json"),
            response_type=Page[int],
        )
        self.number, self.page, self.log = number, page, log

    def parse(self) -> Page[int]:  # decodes once, as RawResponse.parse does
        if ("decoded", self.number) in self.log:
            return self.page
        self.log.append(("decoded", self.number))
        if self.number == 4:
            raise DecodeError("not a page", type_name="Page")
        return self.page


async def test_raw_pages_are_decoded_as_the_consumer_reaches_them() -> None:
    fake = Pages(total=30, perpage=5)  # 6 pages
    log: list[tuple[str, int]] = []

    async def fetch(n: int) -> RawResponse[Page[int]]:
        log.append(("requested", n))
        return Decoded(n, await fake.fetch(n), log)

    seen: list[int] = []

    async def consume() -> None:
        async for x in PageIterator(fetch, perpage=5, concurrency=2):
            seen.append(x)
            await settle()  # every page that can finish does

    with pytest.raises(DecodeError):
        await consume()
    # page 1 decoded for its count; each later page only when the consumer reaches it,
    # after the pages behind it were requested; page 4 fails there, after pages 1-3
    decoded = [n for what, n in log if what == "decoded"]
    assert decoded == [1, 2, 3, 4]
    assert seen == list(range(15))
    for n in (2, 3, 4):
        assert log.index(("requested", n + 1)) < log.index(("decoded", n))
    assert others() == set()  # nothing left running after the failure


async def test_closing_early_cancels_pages_in_flight() -> None:
    fake = Pages(100, 5, hold=True)
    it = PageIterator(fake.fetch, perpage=5, concurrency=4)
    async with contextlib.aclosing(it):
        async for x in it:
            await asyncio.sleep(0)  # the page requests start
            if x == 2:
                break
    assert sorted(fake.cancelled) == [2, 3, 4, 5]
    assert fake.finished == [1]
    assert others() == set()
    assert sorted(fake.requested) == [1, 2, 3, 4, 5]


async def test_dropping_the_iterator_after_break_cancels_pages() -> None:
    fake = Pages(100, 5, hold=True)
    async for x in PageIterator(fake.fetch, perpage=5, concurrency=4):
        await asyncio.sleep(0)
        if x == 1:
            break
    gc.collect()
    for _ in range(5):
        await asyncio.sleep(0)
    assert sorted(fake.cancelled) == [2, 3, 4, 5]
    assert others() == set()


async def test_exception_in_the_loop_body_cancels_pages() -> None:
    fake = Pages(100, 5, hold=True)
    it = PageIterator(fake.fetch, perpage=5, concurrency=2)
    seen: list[int] = []

    async def consume() -> None:
        async with contextlib.aclosing(it):
            await drain(it, seen, fail_on=1)

    with pytest.raises(KeyError):
        await consume()
    assert seen == [0]
    assert sorted(fake.cancelled) == [2, 3]
    assert others() == set()


async def test_cancelling_the_consumer_cancels_pages() -> None:
    fake = Pages(100, 5, hold=True)
    consumed: list[int] = []

    async def consume() -> None:
        async for x in PageIterator(fake.fetch, perpage=5, concurrency=3):
            consumed.append(x)

    task = asyncio.create_task(consume())
    await until(lambda: len(fake.requested) == 4)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(5):
        await asyncio.sleep(0)
    assert consumed == [0, 1, 2, 3, 4]
    assert sorted(fake.cancelled) == [2, 3, 4]
    assert others() == set()


async def test_failing_page_stops_iteration_and_cancels_the_rest() -> None:
    fake = Pages(100, 5)
    fake.fail[3] = NotFoundError(404, message="gone")
    fake.fail[5] = NotFoundError(404, message="also gone")  # never retrieved by the consumer
    loop_errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: loop_errors.append(ctx))
    seen: list[int] = []
    with pytest.raises(NotFoundError, match="gone"):
        await drain(PageIterator(fake.fetch, perpage=5, concurrency=4), seen)
    assert seen == list(range(10))
    gc.collect()
    for _ in range(5):
        await asyncio.sleep(0)
    assert others() == set()
    assert loop_errors == []
    assert 6 not in fake.finished


# -- through the client, against a real local server ----------------------------------------


async def test_breaking_out_of_list_closes_in_flight_connections(
    make_client: Callable[..., KashFlowClient],
) -> None:
    codec = get_codec("json")
    handler_cancelled: list[int] = []
    started: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        page_no = int(request.query["page"])
        started.append(page_no)
        if page_no > 1:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                handler_cancelled.append(page_no)
                raise
        page = Page[Invoice](data=[Invoice(number=page_no * 10 + i) for i in range(2)])
        page.meta.total_records = 20
        return web.Response(body=codec.encode(page), content_type="application/json")

    app = web.Application()
    app.router.add_get("/v2/invoices", handler)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        kf = make_client(base_url=f"http://127.0.0.1:{port}/v2")
        got = []
        async with asyncio.timeout(10):
            async with contextlib.aclosing(kf.invoices.list(perpage=2, concurrency=3)) as it:
                async for inv in it:
                    got.append(inv.number)
                    if len(got) == 2:
                        await until(lambda: len(started) == 4, 0.01)
                        break
            await until(lambda: len(handler_cancelled) == 3, 0.01)
        assert got == [10, 11]
        assert sorted(started) == [1, 2, 3, 4]
        assert sorted(handler_cancelled) == [2, 3, 4]
    finally:
        await runner.cleanup()


def test_page_iterator_is_generic_at_run_time() -> None:
    # annotations such as ``Callable[..., PageIterator[Invoice]]`` are evaluated at import
    assert PageIterator[Invoice].__origin__ is PageIterator  # type: ignore[attr-defined]


# -- a listing stops on evidence ------------------------------------------------------------


def test_page_keys_are_numbers_or_codes_else_the_items() -> None:
    assert page_keys([Invoice(number=3), Invoice(number=4)]) == (3, 4)
    assert page_keys([7, 8]) == (7, 8)
    assert page_keys([]) == ()


def test_empty_before_last_rule() -> None:
    assert empty_before_last(2, 5, []) == "page 2 is empty, but TotalRecords promised 5 pages"
    assert empty_before_last(5, 5, []) is None  # the last page may be empty
    assert empty_before_last(2, 5, [1]) is None


def test_repeats_previous_rule() -> None:
    assert repeats_previous(3, (1, 2), (1, 2)) == "page 3 repeats page 2"
    assert repeats_previous(3, (1, 2), (3, 4)) is None
    assert repeats_previous(3, (), ()) is None  # two empty pages are the other rule's


def test_total_changed_rule() -> None:
    assert total_changed(4, 100, 101) == "TotalRecords changed from 100 on page 1 to 101 on page 4"
    assert total_changed(4, 100, 100) is None


class Lying(Pages):
    """Pages whose answers the test bends: `empty` pages hold nothing, `same` pages answer
    page 1 again, `totals` overrides TotalRecords per page."""

    def __init__(self, total: int, perpage: int) -> None:
        super().__init__(total, perpage)
        self.empty: set[int] = set()
        self.same: set[int] = set()
        self.totals: dict[int, int] = {}

    async def fetch(self, n: int) -> Page[int]:
        page = await super().fetch(1 if n in self.same else n)
        if n in self.same:
            self.requested[-1] = n
        data = [] if n in self.empty else page.data
        total = self.totals.get(n, self.total)
        return Page[int](data=data, meta=PageMeta(total_records=total))


async def listed(pages: Pages, concurrency: int = 2) -> tuple[list[int], PageIterator[int]]:
    it = PageIterator(pages.fetch, perpage=pages.perpage, concurrency=concurrency)
    seen = [x async for x in it]
    return seen, it


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_empty_first_page_with_a_huge_total_is_one_request(concurrency: int) -> None:
    pages = Lying(total=10**12, perpage=100)
    pages.empty = {1}
    seen, it = await asyncio.wait_for(listed(pages, concurrency), 5)
    assert seen == [] and pages.requested == [1]
    assert it.stopped == "page 1 is empty, but TotalRecords is 1000000000000"


async def test_empty_page_before_the_last_ends_the_listing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pages = Lying(total=50, perpage=10)
    pages.empty = {3, 4}
    with caplog.at_level("WARNING", logger="kashflow_async"):
        seen, it = await asyncio.wait_for(listed(pages), 5)
    assert seen == list(range(20))
    assert it.stopped == "page 3 is empty, but TotalRecords promised 5 pages"
    assert len(pages.requested) <= 5 + 1
    assert [r.getMessage() for r in caplog.records].count(
        "list stopped early: page 3 is empty, but TotalRecords promised 5 pages; "
        "the server's pages do not add up"
    ) == 1
    assert len(caplog.records) == 1


async def test_a_page_repeating_the_previous_one_ends_the_listing() -> None:
    pages = Lying(total=40, perpage=10)
    pages.same = {2, 3, 4}  # a server that ignores ``page``
    seen, it = await asyncio.wait_for(listed(pages), 5)
    assert seen == list(range(10))  # page 1 once, never its copies
    assert it.stopped == "page 2 repeats page 1"


async def test_total_records_changing_between_pages_ends_the_listing() -> None:
    pages = Lying(total=40, perpage=10)
    pages.totals = {3: 10**12}
    seen, it = await asyncio.wait_for(listed(pages), 5)
    assert seen == list(range(20))
    assert it.stopped == "TotalRecords changed from 40 on page 1 to 1000000000000 on page 3"
    assert max(pages.requested) <= 4  # never beyond the first page's count


async def test_an_honest_list_is_not_stopped() -> None:
    pages = Lying(total=45, perpage=10)
    seen, it = await listed(pages)
    assert seen == list(range(45)) and it.stopped is None
