"""Event hooks: callables told about every attempt (httpx's ``event_hooks`` convention).

``event_hooks={"request": [...], "response": [...], "retry": [...]}``; each hook is a
plain or async callable taking one event. A hook that raises is logged and ignored: it
never breaks the request. Events carry the route template and a URL with any secret
path segment masked; never a token, password or memorable word, and never a body.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from ..errors import InvalidArgumentError, KashFlowError

__all__ = ["EventHooks", "Hook", "Hooks", "RequestEvent", "ResponseEvent", "RetryEvent"]

logger = logging.getLogger("kashflow_async")


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """An attempt is about to be sent."""

    #: ``GET``, ``POST``, ...
    method: str
    #: The path template as the documentation writes it (``/invoices/{number}``).
    route: str
    #: The full URL with its query (secret path segments masked).
    url: str
    #: 1 for the first attempt; replays (retries, after a re-login) count on.
    attempt: int


@dataclass(frozen=True, slots=True)
class ResponseEvent(RequestEvent):
    """An attempt got an HTTP answer (any status; its body has been read)."""

    status: int
    #: Seconds from sending the attempt to having read its answer.
    elapsed: float
    #: ``X-Request-Id`` (or ``Request-Id``) of the answer, if the server sent one.
    request_id: str | None


@dataclass(frozen=True, slots=True)
class RetryEvent(RequestEvent):
    """Attempt `attempt` failed and will be retried after `delay` seconds.

    The coming attempt is ``attempt + 1``: retry number `attempt` of `max_retries`.
    """

    delay: float
    #: What the call raises if no retry succeeds (`APIError`, `TransportError`).
    error: KashFlowError
    #: The HTTP status of the failed attempt; None for a connection failure or timeout.
    status: int | None
    max_retries: int


Hook = Callable[[Any], Union[Awaitable[None], None]]
#: ``{"request": [...], "response": [...], "retry": [...]}`` (every key optional).
EventHooks = Mapping[str, Iterable[Hook]]

_KINDS = ("request", "response", "retry")


class Hooks:
    """The hooks of one client (or view), by kind, checked once."""

    __slots__ = ("request", "response", "retry")

    def __init__(self, event_hooks: EventHooks) -> None:
        if not isinstance(event_hooks, Mapping):
            raise InvalidArgumentError(
                f"event_hooks must be a mapping of {', '.join(_KINDS)} to lists of callables"
            )
        unknown = set(event_hooks) - set(_KINDS)
        if unknown:
            raise InvalidArgumentError(
                f"event_hooks keys must be among {', '.join(_KINDS)}; "
                f"got {sorted(map(str, unknown))}"
            )
        found: dict[str, tuple[Hook, ...]] = {}
        for kind in _KINDS:
            hooks = tuple(event_hooks.get(kind, ()))
            for hook in hooks:
                if not callable(hook):
                    raise InvalidArgumentError(
                        f"event_hooks[{kind!r}] holds {hook!r}: not callable"
                    )
            found[kind] = hooks
        self.request = found["request"]
        self.response = found["response"]
        self.retry = found["retry"]

    @classmethod
    def of(cls, event_hooks: EventHooks | None) -> Hooks | None:
        """`Hooks`, or None when there are none at all (the request path then skips them)."""
        if event_hooks is None:
            return None
        hooks = cls(event_hooks)
        return hooks if hooks.request or hooks.response or hooks.retry else None


async def emit(hooks: tuple[Hook, ...], event: Any) -> None:
    """Call every hook with `event`, in order; one that raises is logged and skipped."""
    for hook in hooks:
        try:
            result = hook(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception("event hook %r failed on %s", hook, type(event).__name__)
