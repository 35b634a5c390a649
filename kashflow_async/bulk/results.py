"""What `create_many` yields for each input: `BulkResult`; the two errors only bulk creates
produce (`NotSentError`, `NumberConflictError`) live in `kashflow_async.errors`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import AmbiguousResultError, NotSentError, NumberConflictError

__all__ = ["BulkResult", "NotSentError", "NumberConflictError"]

M = TypeVar("M")


@dataclass(frozen=True)
class BulkResult(Generic[M]):
    """The outcome of one input of `create_many`.

    `index` is the input's position (0-based), `item` the input itself; `value` the
    created object as the server returned it, or `error` the exception (exactly one of
    the two is set). `resolved` is True when the object was found by a lookup (an
    ambiguous create confirmed by its number, `look_up_first`, or the journal of an
    earlier run); `attempts` counts the creates sent for this input in this run (a
    create retried by the client counts once).
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
