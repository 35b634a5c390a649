"""`emit`: plain hooks run without a coroutine, async ones are awaited, in order, and a
hook that fails is logged and skipped."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from kashflow_async.transport.hooks import RequestEvent, emit

EVENT = RequestEvent("GET", "/invoices/{number}", "https://api.test/v2/invoices/2", 1)


def test_plain_hooks_run_at_once_and_make_no_coroutine() -> None:
    seen: list[tuple[str, Any]] = []
    hooks = (lambda e: seen.append(("a", e)), lambda e: seen.append(("b", e)))
    assert emit(hooks, EVENT) is None
    assert seen == [("a", EVENT), ("b", EVENT)]


async def test_from_the_first_async_hook_on_the_rest_run_in_order() -> None:
    seen: list[str] = []

    async def slow(event: Any) -> None:
        await asyncio.sleep(0)
        seen.append("slow")

    hooks = (lambda e: seen.append("first"), slow, lambda e: seen.append("last"), slow)
    pending = emit(hooks, EVENT)
    assert seen == ["first"]  # the async hook's coroutine is not awaited yet
    assert pending is not None
    await pending
    assert seen == ["first", "slow", "last", "slow"]


async def test_a_failing_hook_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[Any] = []

    def broken(event: Any) -> None:
        raise RuntimeError("hook bug")

    async def broken_async(event: Any) -> None:
        raise ValueError("async hook bug")

    hooks = (broken, lambda e: seen.append("after broken"), broken_async, seen.append)
    with caplog.at_level(logging.ERROR, logger="kashflow_async"):
        pending = emit(hooks, EVENT)
        assert pending is not None
        await pending
    assert seen == ["after broken", EVENT]
    failures = [r for r in caplog.records if "event hook" in r.getMessage()]
    assert len(failures) == 2
    assert {type(r.exc_info[1]) for r in failures if r.exc_info} == {RuntimeError, ValueError}


def test_events_are_cheap_plain_records() -> None:
    event = RequestEvent("POST", "/invoices", "https://api.test/v2/invoices", 2)
    assert (event.method, event.route, event.attempt) == ("POST", "/invoices", 2)
    assert not hasattr(event, "__dict__")  # slotted
    assert "RequestEvent(method='POST'" in repr(event)
