"""Event hooks: callables told about every attempt (httpx's ``event_hooks`` convention).

``event_hooks={"request": [...], "response": [...], "retry": [...]}``; each hook is a
plain or async callable taking one event. A hook that raises is logged and ignored: it
never breaks the request. Events carry the route template and a URL with any secret
path segment masked; never a token, password or memorable word, and never a body.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from ..errors import InvalidArgumentError, KashFlowError

__all__ = [
    "EventHooks",
    "Hook",
    "Hooks",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "emit",
    "retry_hook",
]

logger = logging.getLogger("kashflow_async")


# Events are plain (not frozen) slotted dataclasses: a frozen one pays an
# object.__setattr__ per field on every attempt.


@dataclass(slots=True)
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


@dataclass(slots=True)
class ResponseEvent(RequestEvent):
    """An attempt got an HTTP answer (any status; its body has been read)."""

    status: int
    #: Seconds from sending the attempt to having read its answer.
    elapsed: float
    #: ``X-Request-Id`` (or ``Request-Id``) of the answer, if the server sent one.
    request_id: str | None


@dataclass(slots=True)
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


def emit(hooks: tuple[Hook, ...], event: Any) -> Coroutine[Any, Any, None] | None:
    """Call every hook with `event`, in order; one that raises is logged and skipped.

    Plain hooks run at once and None is returned: no coroutine is made for them. From
    the first hook that returns an awaitable on, the rest runs in the coroutine returned
    (await it), so that every hook still sees the event in order.
    """
    for index, hook in enumerate(hooks):
        try:
            result = hook(event)
        except Exception:
            _failed(hook, event)
            continue
        if result is not None and inspect.isawaitable(result):
            return _finish(result, hook, hooks[index + 1 :], event)
    return None


async def _finish(pending: Awaitable[Any], hook: Hook, rest: tuple[Hook, ...], event: Any) -> None:
    """Await the awaitable `hook` returned, then call the hooks after it."""
    try:
        await pending
    except Exception:
        _failed(hook, event)
    more = emit(rest, event)
    if more is not None:
        await more


def _failed(hook: Hook, event: Any) -> None:
    logger.exception("event hook %r failed on %s", hook, type(event).__name__)


def retry_hook(
    hooks: Hooks | None, call: Any, url_of: Callable[[Any], str], max_retries: int
) -> Callable[[Any, int, float], Awaitable[None]] | None:
    """What tells the ``retry`` hooks of `hooks` that `call` will be retried (the retry
    loop's ``on_retry``); None when there are none. `url_of(call)` is the URL shown."""
    if hooks is None or not hooks.retry:
        return None
    retry_hooks = hooks.retry

    async def on_retry(failure: Any, retry: int, delay: float) -> None:
        error = failure.error
        event = RetryEvent(
            call.method,
            call.route,
            url_of(call),
            call.attempts,
            delay,
            error,
            getattr(error, "status", None),
            max_retries,
        )
        pending = emit(retry_hooks, event)
        if pending is not None:
            await pending

    return on_retry
