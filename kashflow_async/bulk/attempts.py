"""The creates of one input: counted exactly, journaled, and resolved by its number when
their outcome is unknown or the number is taken (`create_resolving`); what an interrupted
or failed one leaves (`interrupted`, `outcome_of_error`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from .._sending import SENDING
from ..errors import AmbiguousResultError, APIError, KashFlowError, NotFoundError
from .content import differing_field, find_by_number, key_of, number_taken
from .journal import Outcome
from .results import BulkResult, NotSentError, NumberConflictError

__all__ = [
    "MAX_CREATE_ROUNDS",
    "Attempts",
    "Creatable",
    "create_resolving",
    "interrupted",
    "outcome_of_error",
    "reports_sending",
]

M = TypeVar("M")

#: POSTs of one numbered input at most (the first, and re-sends after a lookup found nothing).
MAX_CREATE_ROUNDS = 5


class Creatable(Protocol[M]):
    """What `create_many` needs of a resource."""

    async def create(self, obj: M) -> M: ...

    async def get(self, number: int) -> M: ...


def reports_sending(resource: Any) -> bool:
    """Whether `resource` is one of the client's (its request path calls `SENDING`)."""
    return bool(getattr(resource, "reports_sending", False))


class Attempts:
    """The creates of one input, readable even if it is cancelled half-way: how many
    were sent, and whether the last may have been applied.

    With one of the client's resources (`exact`) a create counts as sent once the
    request path writes its POST (`SENDING`; the client's own retries of that POST do
    not count again); with any other resource, when `create` is called (it may have
    sent it: the safe side). With a journal, each create's intent is on stable storage
    before the create starts (`intend`)."""

    __slots__ = ("count", "exact", "intend", "maybe_applied", "previous", "written")

    def __init__(self, exact: bool, previous: int = 0) -> None:
        self.exact = exact
        self.count = 0
        #: creates of this input sent by earlier runs (from the journal)
        self.previous = previous
        self.maybe_applied = False
        self.written = False
        self.intend: Callable[[int], Any] | None = None

    def sending(self) -> None:
        """A POST of the current create is being written."""
        if not self.written:
            self.written = True
            self.count += 1
        self.maybe_applied = True

    async def create(self, resource: Creatable[M], item: M, slots: asyncio.Semaphore) -> M:
        """`resource.create(item)`, journaled, within a slot, counted."""
        if self.intend is not None:
            await self.intend(self.previous + self.count + 1)
        async with slots:
            self.written = False
            if not self.exact:
                self.sending()
                return await resource.create(item)
            token = SENDING.set(self.sending)
            try:
                return await resource.create(item)
            finally:
                SENDING.reset(token)


async def create_resolving(
    resource: Creatable[M], item: M, counter: Attempts, slots: asyncio.Semaphore
) -> tuple[M, bool]:
    """Create `item`; resolve an ambiguous outcome or a "number already taken" answer by
    its number (its code, on a resource keyed by code). Returns the created object and
    whether it was confirmed by a lookup."""
    number = key_of(resource, item)
    while True:
        try:
            return await counter.create(resource, item, slots), False
        except AmbiguousResultError as exc:
            counter.maybe_applied = True
            if not number:
                raise
            try:
                async with slots:
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
            field = differing_field(item, found)
            if field is not None:
                raise NumberConflictError(number, field) from exc
            return found, True
        except KashFlowError as exc:
            if not number or not number_taken(exc):
                raise
            counter.maybe_applied = False  # refused: this POST created nothing
            async with slots:
                taken = await find_by_number(resource, item, number)
            if taken is None:
                raise  # taken, yet not there: the server's answer stands
            return taken, True


def outcome_of_error(exc: BaseException) -> Outcome | None:
    """The journal outcome of a create that ended in `exc`: refused by the API (4xx) or
    a number conflict is ``failed``, never sent is ``not_sent``; None for anything that
    may have been applied (the intent then stays without outcome: looked up on resume)."""
    if isinstance(exc, NotSentError):
        return Outcome.NOT_SENT
    if isinstance(exc, NumberConflictError):
        return Outcome.FAILED
    if isinstance(exc, APIError) and exc.status < 500:
        return Outcome.FAILED
    return None


def interrupted(index: int, item: M, counter: Attempts) -> BulkResult[M]:
    error: KashFlowError
    if counter.maybe_applied:
        error = AmbiguousResultError(
            "interrupted: the create was cancelled and may have been applied", sent=item
        )
    else:
        error = NotSentError(sent=item)
    return BulkResult(index, item, error=error, attempts=counter.count)
