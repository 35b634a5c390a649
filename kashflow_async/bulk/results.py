"""What `create_many` yields for each input: `BulkResult`, and the two errors only bulk
creates produce (`NotSentError`, `NumberConflictError`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import AmbiguousResultError, KashFlowError

__all__ = ["BulkResult", "NotSentError", "NumberConflictError"]

M = TypeVar("M")


class NumberConflictError(KashFlowError):
    """The number an input asks for holds other content: `field` names the first
    member that differs (``customer_reference``, ``line_items[0].rate``)."""

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
