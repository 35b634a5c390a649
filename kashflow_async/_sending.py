"""Where a request leaves the client: the request path calls the function in `SENDING`
(if any) when an attempt has its connection slot and is about to be written, so that
`create_many` knows exactly whether a create interrupted in flight was ever sent."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

__all__ = ["SENDING"]

#: Called once per attempt, right before the request is written (per task: a context).
SENDING: ContextVar[Callable[[], None] | None] = ContextVar("kashflow_async_sending", default=None)
