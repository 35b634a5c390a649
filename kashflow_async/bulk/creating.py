"""`create_many`: the creates of many inputs, bounded, exact, optionally journaled (see
the package's documentation for the rules)."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from .._checks import whole_number
from .._closing import AsyncClosing
from ..errors import AmbiguousResultError, InvalidArgumentError, NotFoundError
from .attempts import (
    MAX_CREATE_ROUNDS,
    Attempts,
    Creatable,
    create_resolving,
    interrupted,
    outcome_of_error,
    reports_sending,
)
from .content import content_digest, find_created, key_of
from .journal import Journal, JournalEntry, Outcome
from .results import BulkResult

__all__ = [
    "DEFAULT_BULK_CONCURRENCY",
    "MAX_CREATE_ROUNDS",
    "READ_AHEAD_LIMIT",
    "CreateMany",
    "create_many",
]

M = TypeVar("M")

#: Creates in flight at once unless told otherwise.
DEFAULT_BULK_CONCURRENCY = 8
#: Inputs read ahead, at most, to find those a journal says may have been applied (they
#: are looked up before anything is sent); one found later is looked up before its POST.
READ_AHEAD_LIMIT = 10_000


class CreateMany(AsyncClosing, Generic[M], AsyncIterator[BulkResult[M]]):
    """The async iterator `create_many` returns (see `kashflow_async.bulk`).

    Inputs are taken from `items` only when a slot is free, so an endless or very large
    source stays cheap (with a journal, up to `concurrency` more are taken, to write their
    intents ahead). Closing the iterator early (``aclose()``, leaving ``async with``)
    cancels the creates in flight; `cancel()` does the same and returns a result for each
    input that was started but not yet yielded, so nothing started goes unaccounted.
    """

    def __init__(
        self,
        resource: Creatable[M],
        items: Iterable[M] | AsyncIterable[M],
        *,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        look_up_first: Callable[[M], bool] | None = None,
        claimed: set[int] | None = None,
        journal: Journal | None = None,
        key: Callable[[M], int] | None = None,
    ) -> None:
        whole_number("concurrency", concurrency, 1)
        _check_journal(journal, key)
        self._resource = resource
        self._concurrency = concurrency
        self._look_up_first = look_up_first
        self._claimed = claimed if claimed is not None else set()
        self._journal = journal
        self._key = key
        self._exact = reports_sending(resource)
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks_max = concurrency * 2 if journal is not None else concurrency
        self._sync: Iterator[M] | None = None
        self._async: AsyncIterator[M] | None = None
        if isinstance(items, AsyncIterable):
            self._async = aiter(items)
        else:
            self._sync = iter(items)
        self._counter = itertools.count()
        self._running: dict[asyncio.Task[BulkResult[M]], tuple[int, M, Attempts]] = {}
        self._ready: deque[BulkResult[M]] = deque()
        self._buffer: deque[M] = deque()
        self._exhausted = False
        self._source_error: BaseException | None = None
        self._closed = False
        self._prepared = journal is None
        #: the journal's records of an earlier run, by key
        self._before: dict[int, JournalEntry] = {}
        #: lookups of unresolved inputs made before anything was sent, by key
        self._looked_up: dict[int, M | BaseException | None] = {}
        #: the journal keys of the inputs started so far
        self._keys: set[int] = set()
        #: How many inputs have been taken from the source so far.
        self.started = 0

    def __aiter__(self) -> CreateMany[M]:
        return self

    async def _next_item(self) -> list[M]:
        """The next input, or no input when the source is exhausted."""
        if self._buffer:
            return [self._buffer.popleft()]
        return await self._read_source()

    async def _read_source(self) -> list[M]:
        try:
            if self._sync is not None:
                return [next(self._sync)]
            assert self._async is not None
            return [await anext(self._async)]
        except (StopIteration, StopAsyncIteration):
            return []

    def _key_of(self, index: int, item: M) -> int:
        if self._key is None:
            return index
        key = self._key(item)
        if type(key) is not int:
            raise InvalidArgumentError(f"key(item) must return an int, not {key!r}")
        return key

    async def _prepare(self) -> None:
        """Read the journal; read ahead to the inputs an earlier run may have created
        (intent without outcome) and look each up, all before anything is sent."""
        self._prepared = True
        assert self._journal is not None
        self._before = await self._journal.read()
        for entry in self._before.values():
            if entry.outcome is Outcome.CREATED and entry.number is not None:
                self._claimed.add(entry.number)
        waiting = {k for k, e in self._before.items() if e.unresolved}
        found: list[tuple[int, M]] = []
        index = self.started
        while waiting and len(self._buffer) < READ_AHEAD_LIMIT:
            try:
                more = await self._read_source()
            except Exception as exc:
                self._exhausted = True
                self._source_error = exc
                break
            if not more:
                break
            self._buffer.append(more[0])
            key = self._key_of(index, more[0])
            index += 1
            earlier = self._before.get(key)
            if key in waiting and earlier is not None and earlier.digest == content_digest(more[0]):
                waiting.discard(key)
                found.append((key, more[0]))
        await asyncio.gather(*(self._look_up(key, item) for key, item in found))

    async def _look_up(self, key: int, item: M) -> None:
        try:
            async with self._slots:
                self._looked_up[key] = await find_created(self._resource, item, self._claimed)
        except Exception as exc:
            self._looked_up[key] = exc

    async def _fill(self) -> None:
        if not self._prepared:
            await self._prepare()
        while not self._exhausted and len(self._running) < self._tasks_max:
            try:
                more = await self._next_item()
            except Exception as exc:  # the source failed: finish what runs, then raise it
                self._exhausted = True
                self._source_error = exc
                return
            if not more:
                self._exhausted = True
                return
            item = more[0]
            index = next(self._counter)
            self.started += 1
            counter = Attempts(self._exact)
            task = asyncio.create_task(
                self._one(index, item, counter), name=f"kashflow_async create_many #{index}"
            )
            self._running[task] = (index, item, counter)

    async def _one(self, index: int, item: M, counter: Attempts) -> BulkResult[M]:
        journal, key, digest = self._journal, 0, ""
        try:
            if journal is not None:
                key, digest = self._key_of(index, item), content_digest(item)
                if key in self._keys:
                    digest = ""  # records nothing: the key is another input's
                    raise InvalidArgumentError(
                        f"journal key {key} is another input's: each input needs its own key"
                    )
                self._keys.add(key)
                done = await self._from_journal(key, digest, item, counter)
                if done is not None:
                    self._claim(done)
                    return BulkResult(index, item, value=done, resolved=True)
                counter.intend = lambda attempt: journal.intend(key, digest, attempt)
            if self._look_up_first is not None and self._look_up_first(item):
                counter.maybe_applied = True  # by an earlier run, until the lookup says
                async with self._slots:
                    found = await find_created(self._resource, item, self._claimed)
                if found is not None:
                    self._claim(found)
                    await self._record(key, digest, Outcome.CREATED, found)
                    return BulkResult(index, item, value=found, resolved=True)
                counter.maybe_applied = False
            value, resolved = await create_resolving(self._resource, item, counter, self._slots)
        except Exception as exc:
            await self._record_error(key, digest, exc)
            return BulkResult(index, item, error=exc, attempts=counter.count)
        self._claim(value)
        await self._record(key, digest, Outcome.CREATED, value)
        return BulkResult(index, item, value=value, resolved=resolved, attempts=counter.count)

    def _claim(self, value: Any) -> None:
        """Note that `value`'s number belongs to an input (no other input's lookup takes it)."""
        number = key_of(self._resource, value)
        if number is not None:
            self._claimed.add(number)

    async def _from_journal(self, key: int, digest: str, item: M, counter: Attempts) -> M | None:
        """What an earlier run's journal says of this input: the record it created (or a
        lookup found), else None (send it); raises what a lookup of it raised."""
        entry = self._before.get(key)
        if entry is None or entry.digest != digest:
            return None
        counter.previous = entry.attempt
        if entry.outcome is Outcome.CREATED and entry.number is not None:
            try:
                async with self._slots:
                    created: M = await self._resource.get(entry.number)
            except NotFoundError:  # deleted since: the server's books win, send it
                self._claimed.discard(entry.number)
                return None
            return created
        if not entry.unresolved:
            return None
        if key in self._looked_up:
            found = self._looked_up.pop(key)
        else:  # beyond the read-ahead: looked up now, still before its own POST
            counter.maybe_applied = True
            async with self._slots:
                found = await find_created(self._resource, item, self._claimed)
        if isinstance(found, BaseException):
            counter.maybe_applied = True
            raise AmbiguousResultError(
                f"an earlier run may have created this input and the lookup failed: {found}",
                sent=item,
            ) from found
        counter.maybe_applied = False
        if found is not None:
            await self._record(key, digest, Outcome.CREATED, found)
        return found

    async def _record(self, key: int, digest: str, outcome: Outcome, value: Any = None) -> None:
        if self._journal is not None:
            number = key_of(self._resource, value)
            await self._journal.record(key, digest, outcome, number)

    async def _record_error(self, key: int, digest: str, exc: BaseException) -> None:
        if self._journal is not None and digest:
            outcome = outcome_of_error(exc)
            if outcome is not None:
                await self._journal.record(key, digest, outcome)

    def _collect(self, task: asyncio.Task[BulkResult[M]]) -> BulkResult[M]:
        index, item, counter = self._running.pop(task)
        if task.cancelled():
            return interrupted(index, item, counter)
        exc = task.exception()
        if exc is not None:  # a BaseException the worker does not catch
            return BulkResult(index, item, error=exc, attempts=counter.count)
        return task.result()

    async def __anext__(self) -> BulkResult[M]:
        if self._ready:
            return self._ready.popleft()
        if self._closed:
            raise StopAsyncIteration
        await self._fill()
        if not self._running:
            self._closed = True
            if self._source_error is not None:
                error, self._source_error = self._source_error, None
                raise error
            raise StopAsyncIteration
        try:
            done, _ = await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            await self._cancel_running()
            raise
        for task in sorted(done, key=lambda t: self._running[t][0]):
            self._ready.append(self._collect(task))
        return self._ready.popleft()

    async def _cancel_running(self) -> None:
        """Cancel the creates in flight, wait for them, and queue their results."""
        self._closed = True
        self._exhausted = True
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for task in sorted(tasks, key=lambda t: self._running[t][0]):
            self._ready.append(self._collect(task))

    async def cancel(self) -> list[BulkResult[M]]:
        """Stop: cancel the creates in flight, wait for them, and return a result for
        every started input not yet yielded (also after a cancellation of the iterator
        itself). A create cancelled while its POST may have been applied has an
        `AmbiguousResultError`; one cancelled before that, a `NotSentError`."""
        await self._cancel_running()
        results = sorted(self._ready, key=lambda r: r.index)
        self._ready.clear()
        return results

    async def aclose(self) -> None:
        """Stop, cancelling the creates in flight (their results are dropped)."""
        await self._cancel_running()
        self._ready.clear()


def _check_journal(journal: Any, key: Any) -> None:
    """Refuse a journal without the `Journal` methods, or a `key` that is not callable."""
    if journal is not None:
        missing = [
            n for n in ("read", "intend", "record") if not callable(getattr(journal, n, None))
        ]
        if missing:
            raise InvalidArgumentError(
                f"journal must be a Journal (FileJournal, RedisJournal): {type(journal).__name__} "
                f"has no {', '.join(missing)}"
            )
    if key is not None and not callable(key):
        raise InvalidArgumentError(f"key must be a function of an input, not {key!r}")


def create_many(
    resource: Creatable[M],
    items: Iterable[M] | AsyncIterable[M],
    *,
    concurrency: int = DEFAULT_BULK_CONCURRENCY,
    look_up_first: Callable[[M], bool] | None = None,
    claimed: set[int] | None = None,
    journal: Journal | None = None,
    key: Callable[[M], int] | None = None,
) -> CreateMany[M]:
    """Create every object of `items` with `resource` (up to `concurrency` at once);
    an async iterator of one `BulkResult` per input, in completion order.

    Inputs for which `look_up_first` is true are looked up first (`find_created`,
    skipping the numbers in `claimed`) and created only if not found. With a `journal`,
    each create's intent is on stable storage before it is sent, and a run resumed on
    the same journal (with the same inputs) neither repeats nor loses a create; `key`
    gives an input's key in the journal (default: its index in `items`).
    """
    return CreateMany(
        resource,
        items,
        concurrency=concurrency,
        look_up_first=look_up_first,
        claimed=claimed,
        journal=journal,
        key=key,
    )
