"""Creating many objects at once: `create_many` and its results.

`create_many` runs the creates of a resource (`kf.invoices`, `kf.quotes`) with bounded
concurrency and yields one `BulkResult` per input, in completion order; `index` restores
the input order. Every input that was started is accounted for exactly once: a failure
is a result, never an exception out of the iterator.

Ambiguity (the POST may or may not have been applied) follows the client's rule that a
create is never blindly sent twice:

- an input with an explicit ``number`` is resolved by looking that number up: found
  with the same content, the create succeeded (``resolved=True``); `NotFoundError`,
  it never happened and is sent again (at most `MAX_CREATE_ROUNDS` times in all); found
  with other content, the result is a `NumberConflictError`;
- an input without a number keeps the `AmbiguousResultError` as its result.

"Same content" compares what the caller set and the server keeps as given: the customer
code (any letter case), the customer reference, the dates, and each line's quantity,
rate, description, product and nominal code and VAT level (Decimals by value).

Looking up before creating: inputs for which ``look_up_first(item)`` is true (a previous
run may have created them) are looked up before their first POST, by number, or when
they have none by their content among the records of their customer that no other
input has claimed (`claimed`). A record found is the input's result (``resolved=True``,
``attempts=0``); only what is not found is sent.

Interrupted inputs (`CreateMany.cancel`, or the consumer cancelled) are told apart
exactly: an input whose create was never sent, or whose last send a lookup proved not
applied, gets a `NotSentError` (nothing happened: send it again); one cancelled while a
POST may have been applied gets an `AmbiguousResultError`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ._checks import whole_number
from ._closing import AsyncClosing
from ._sending import SENDING
from .errors import AmbiguousResultError, KashFlowError, NotFoundError, TransportError

__all__ = [
    "DEFAULT_BULK_CONCURRENCY",
    "MAX_CREATE_ROUNDS",
    "BulkResult",
    "CreateMany",
    "NotSentError",
    "NumberConflictError",
    "create_many",
    "find_created",
    "same_content",
]

M = TypeVar("M")

#: Creates in flight at once unless told otherwise.
DEFAULT_BULK_CONCURRENCY = 8
#: POSTs of one numbered input at most (the first, and re-sends after a lookup found nothing).
MAX_CREATE_ROUNDS = 5

#: Top-level fields compared by `same_content` (when set on the input).
_CONTENT_FIELDS = ("customer_code", "customer_reference", "issued_date", "due_date", "date")
#: Line fields compared by `same_content` (when set on the input's line).
_LINE_FIELDS = (
    "quantity",
    "rate",
    "description",
    "product_code",
    "nominal_code",
    "vat_level",
    "project_number",
)


class NumberConflictError(KashFlowError):
    """A create was ambiguous, and the number it asked for holds other content."""

    def __init__(self, number: int, field: str) -> None:
        self.number = number
        self.field = field
        super().__init__(
            f"number {number} already exists with a different {field}: "
            "not the object this input describes"
        )


class NotSentError(KashFlowError):
    """A create interrupted before its POST was sent (or after a lookup proved the POST it
    sent not applied): nothing was created, and the input can be sent again."""

    def __init__(
        self,
        message: str = "interrupted before the create was sent: nothing was applied",
        *,
        sent: Any = None,
    ) -> None:
        self.sent = sent
        super().__init__(message)


class _Creatable(Protocol[M]):
    """What `create_many` needs of a resource."""

    async def create(self, obj: M) -> M: ...

    async def get(self, number: int) -> M: ...


@dataclass(frozen=True)
class BulkResult(Generic[M]):
    """The outcome of one input of `create_many`.

    `index` is the input's position (0-based), `item` the input itself; `value` the
    created object as the server returned it, or `error` the exception (exactly one of
    the two is set). `resolved` is True when the object was found by a lookup (an
    ambiguous create confirmed by its number, or `look_up_first`); `attempts` counts the
    creates sent for this input (a create retried by the client counts once).
    """

    index: int
    item: M
    value: M | None = None
    error: BaseException | None = None
    resolved: bool = False
    attempts: int = 0

    @property
    def ok(self) -> bool:
        """Whether the input was created."""
        return self.error is None

    @property
    def ambiguous(self) -> bool:
        """Whether the outcome is unknown (the create may or may not have been applied)."""
        return isinstance(self.error, AmbiguousResultError)

    @property
    def not_sent(self) -> bool:
        """Whether the create was interrupted with nothing applied (`NotSentError`)."""
        return isinstance(self.error, NotSentError)

    def unwrap(self) -> M:
        """The created object, or raise the error."""
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


def _same_value(sent: Any, found: Any) -> bool:
    if isinstance(sent, str) and isinstance(found, str):
        return sent.strip() == found.strip()
    if isinstance(sent, dt.date) and isinstance(found, dt.date):
        if not isinstance(sent, dt.datetime) or not isinstance(found, dt.datetime):
            return _day(sent) == _day(found)
        if (sent.tzinfo is None) != (found.tzinfo is None):
            return sent.replace(tzinfo=None) == found.replace(tzinfo=None)
        return sent == found
    return bool(sent == found)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _differing_field(sent: Any, found: Any) -> str | None:
    for name in _CONTENT_FIELDS:
        mine = getattr(sent, name, None)
        if mine is None:
            continue
        theirs = getattr(found, name, None)
        if name == "customer_code":
            if str(mine).strip().casefold() != str(theirs or "").strip().casefold():
                return name
        elif theirs is None or not _same_value(mine, theirs):
            return name
    lines = getattr(sent, "line_items", None)
    if lines is not None:
        found_lines = getattr(found, "line_items", None) or []
        if len(lines) != len(found_lines):
            return "line_items"
        for i, (mine_line, their_line) in enumerate(zip(lines, found_lines, strict=True)):
            for name in _LINE_FIELDS:
                mine = getattr(mine_line, name, None)
                if mine is not None and not _same_value(mine, getattr(their_line, name, None)):
                    return f"line_items[{i}].{name}"
    return None


def same_content(sent: Any, found: Any) -> bool:
    """Whether `found` (as the server holds it) is what `sent` asked to create."""
    return _differing_field(sent, found) is None


class _Attempts:
    """The creates of one input, readable even if it is cancelled half-way: how many
    were sent, and whether the last may have been applied.

    With one of the client's resources (`exact`) a create counts as sent once the
    request path writes its POST (`SENDING`; the client's own retries of that POST do
    not count again); with any other resource, when `create` is called (it may have
    sent it: the safe side)."""

    __slots__ = ("count", "exact", "maybe_applied", "written")

    def __init__(self, exact: bool) -> None:
        self.exact = exact
        self.count = 0
        self.maybe_applied = False
        self.written = False

    def sending(self) -> None:
        """A POST of the current create is being written."""
        if not self.written:
            self.written = True
            self.count += 1
        self.maybe_applied = True

    async def create(self, resource: _Creatable[M], item: M) -> M:
        """`resource.create(item)`, counted."""
        self.written = False
        if not self.exact:
            self.sending()
            return await resource.create(item)
        token = SENDING.set(self.sending)
        try:
            return await resource.create(item)
        finally:
            SENDING.reset(token)


async def find_created(resource: Any, item: M, claimed: set[int]) -> M | None:
    """The record an earlier create of `item` made, or None if there is none.

    With a number: that number, looked up (other content there: `NumberConflictError`).
    Without: among the records of `item`'s customer (``resource.list(customer_code=)``)
    whose numbers are not in `claimed`, the first with the same content (its number is
    then added to `claimed`). None when the resource cannot list or the item has no
    customer code. Two identical inputs without numbers cannot be told apart. A listing
    that ended early (the server's pages did not add up: `PageIterator.stopped`) proves
    nothing: `TransportError`, the lookup is to be tried again.
    """
    number = getattr(item, "number", None)
    if number:
        try:
            found: M = await resource.get(number)
        except NotFoundError:
            return None
        field = _differing_field(item, found)
        if field is not None:
            raise NumberConflictError(number, field)
        return found
    customer = getattr(item, "customer_code", None)
    if not customer or not hasattr(resource, "list"):
        return None
    reference = (getattr(item, "customer_reference", None) or "").strip()
    listing = resource.list(customer_code=customer)
    async for summary in listing:
        if summary.number is None or summary.number in claimed:
            continue
        if reference and (summary.customer_reference or "").strip() != reference:
            continue
        full: M = await resource.get(summary.number)
        if same_content(item, full):
            claimed.add(summary.number)
            return full
    stopped = getattr(listing, "stopped", None)
    if stopped:  # a listing cut short proves nothing: the record may be further on
        raise TransportError(f"the lookup of {customer}'s records was cut short ({stopped})")
    return None


async def _create_resolving(resource: _Creatable[M], item: M, counter: _Attempts) -> tuple[M, bool]:
    """Create `item`; resolve an ambiguous outcome by its number. Returns the created
    object and whether it was confirmed by a lookup; `counter` counts the POSTs."""
    number = getattr(item, "number", None)
    while True:
        try:
            return await counter.create(resource, item), False
        except AmbiguousResultError as exc:
            counter.maybe_applied = True
            if not number:
                raise
            try:
                found = await resource.get(number)
            except NotFoundError:
                counter.maybe_applied = False
                if counter.count >= MAX_CREATE_ROUNDS or not counter.count:
                    raise NotSentError(
                        f"not created: each of {counter.count} POSTs was ambiguous and a "
                        "lookup proved it not applied",
                        sent=item,
                    ) from exc
                continue  # provably not created: safe to send again
            except KashFlowError:
                raise exc from None  # the lookup failed: still ambiguous
            field = _differing_field(item, found)
            if field is not None:
                raise NumberConflictError(number, field) from exc
            return found, True


class CreateMany(AsyncClosing, Generic[M], AsyncIterator[BulkResult[M]]):
    """The async iterator `create_many` returns (see the module's documentation).

    Inputs are taken from `items` only when a slot is free, so an endless or very large
    source stays cheap. Closing the iterator early (``aclose()``, leaving ``async with``)
    cancels the creates in flight; `cancel()` does the same and returns a result for each
    input that was started but not yet yielded, so nothing started goes unaccounted.
    """

    def __init__(
        self,
        resource: _Creatable[M],
        items: Iterable[M] | AsyncIterable[M],
        *,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        look_up_first: Callable[[M], bool] | None = None,
        claimed: set[int] | None = None,
    ) -> None:
        whole_number("concurrency", concurrency, 1)
        self._resource = resource
        self._concurrency = concurrency
        self._look_up_first = look_up_first
        self._claimed = claimed if claimed is not None else set()
        from .resources._base import Resource  # here: resources import this module

        self._exact = isinstance(resource, Resource)
        self._sync: Iterator[M] | None = None
        self._async: AsyncIterator[M] | None = None
        if isinstance(items, AsyncIterable):
            self._async = aiter(items)
        else:
            self._sync = iter(items)
        self._counter = itertools.count()
        self._running: dict[asyncio.Task[BulkResult[M]], tuple[int, M, _Attempts]] = {}
        self._ready: deque[BulkResult[M]] = deque()
        self._exhausted = False
        self._source_error: BaseException | None = None
        self._closed = False
        #: How many inputs have been taken from the source so far.
        self.started = 0

    def __aiter__(self) -> CreateMany[M]:
        return self

    async def _next_item(self) -> list[M]:
        """The next input, or no input when the source is exhausted."""
        try:
            if self._sync is not None:
                return [next(self._sync)]
            assert self._async is not None
            return [await anext(self._async)]
        except (StopIteration, StopAsyncIteration):
            return []

    async def _fill(self) -> None:
        while not self._exhausted and len(self._running) < self._concurrency:
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
            counter = _Attempts(self._exact)
            task = asyncio.create_task(
                self._one(index, item, counter), name=f"kashflow_async create_many #{index}"
            )
            self._running[task] = (index, item, counter)

    async def _one(self, index: int, item: M, counter: _Attempts) -> BulkResult[M]:
        try:
            if self._look_up_first is not None and self._look_up_first(item):
                counter.maybe_applied = True  # by an earlier run, until the lookup says
                found = await find_created(self._resource, item, self._claimed)
                if found is not None:
                    return BulkResult(index, item, value=found, resolved=True)
                counter.maybe_applied = False
            value, resolved = await _create_resolving(self._resource, item, counter)
        except Exception as exc:
            return BulkResult(index, item, error=exc, attempts=counter.count)
        return BulkResult(index, item, value=value, resolved=resolved, attempts=counter.count)

    def _collect(self, task: asyncio.Task[BulkResult[M]]) -> BulkResult[M]:
        index, item, counter = self._running.pop(task)
        if task.cancelled():
            return _interrupted(index, item, counter)
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


def _interrupted(index: int, item: M, counter: _Attempts) -> BulkResult[M]:
    error: KashFlowError
    if counter.maybe_applied:
        error = AmbiguousResultError(
            "interrupted: the create was cancelled and may have been applied", sent=item
        )
    else:
        error = NotSentError(sent=item)
    return BulkResult(index, item, error=error, attempts=counter.count)


def create_many(
    resource: _Creatable[M],
    items: Iterable[M] | AsyncIterable[M],
    *,
    concurrency: int = DEFAULT_BULK_CONCURRENCY,
    look_up_first: Callable[[M], bool] | None = None,
    claimed: set[int] | None = None,
) -> CreateMany[M]:
    """Create every object of `items` with `resource` (up to `concurrency` at once);
    an async iterator of one `BulkResult` per input, in completion order. Inputs for
    which `look_up_first` is true are looked up first (`find_created`, skipping the
    numbers in `claimed`) and created only if not found."""
    return CreateMany(
        resource, items, concurrency=concurrency, look_up_first=look_up_first, claimed=claimed
    )
