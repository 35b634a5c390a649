"""Event loops the benchmarks run under: asyncio's default loop and, when installed, uvloop."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["LoopFactory", "loops", "run_on"]

T = TypeVar("T")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def loops(only: str | None = None) -> dict[str, LoopFactory]:
    """``{"asyncio": ..., "uvloop": ...}`` (uvloop only when installed; `only` keeps one)."""
    found: dict[str, LoopFactory] = {"asyncio": asyncio.new_event_loop}
    if importlib.util.find_spec("uvloop") is not None:
        uvloop: Any = importlib.import_module("uvloop")
        found["uvloop"] = uvloop.new_event_loop
    if only is not None:
        if only not in found:
            raise SystemExit(f"event loop {only!r} is not available (have: {', '.join(found)})")
        return {only: found[only]}
    return found


def run_on(factory: LoopFactory, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` to completion on a fresh loop from `factory`, as ``asyncio.run`` does."""
    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(main())
    loop = factory()  # pragma: no cover - Python 3.10
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(main())
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()
