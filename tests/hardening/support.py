"""Helpers for the hardening tests: checks that a client has given back everything it
took, and a server that answers garbage. Servers run on their own event loop in a thread
(`tests.support.threads`), so "no task is left pending" can be asserted exactly, and
server-side latency never stalls the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from kashflow_async import KashFlowClient
from tests.support.threads import HOST, app_thread, sandbox_thread

__all__ = [
    "BadStatusServer",
    "LoopProblems",
    "acquired_connections",
    "app_thread",
    "assert_released",
    "free_slots",
    "other_tasks",
    "sandbox_thread",
]


class BadStatusServer:
    """A server on 127.0.0.1 that answers every request with a malformed status line
    (aiohttp then raises an error that carries the request's URL and headers).
    ``async with`` yields its API root; `requests` counts the requests it read."""

    def __init__(self) -> None:
        self.requests = 0
        self._server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                writer.write(b"HTTP/1.1 OK-ish\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        writer.close()

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._handle, HOST, 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{HOST}:{port}/v2"

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


def acquired_connections(kf: KashFlowClient) -> int:
    """Connections the client's connector has handed out and not got back."""
    session = kf._transport._session
    if session is None or session.closed:
        return 0
    connector = session.connector
    assert connector is not None
    return len(connector._acquired)  # type: ignore[attr-defined]


def free_slots(kf: KashFlowClient) -> int:
    """Free places of the client-wide concurrency limit."""
    return kf._transport.limits._semaphore._value


def other_tasks() -> set[asyncio.Task[Any]]:
    """Unfinished tasks of the running loop other than the current one."""
    me = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not me and not t.done()}


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait until `predicate()` holds (polling the loop); its final value."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return predicate()
        await asyncio.sleep(0.005)
    return True


async def assert_released(
    kf: KashFlowClient, baseline: set[asyncio.Task[Any]], within: float = 5.0
) -> None:
    """No connection acquired, every concurrency slot free, no task left behind (beyond
    `baseline`), within `within` seconds."""
    deadline = time.monotonic() + within

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    assert await eventually(lambda: acquired_connections(kf) == 0, left()), (
        f"connections leaked: {acquired_connections(kf)}"
    )
    assert await eventually(
        lambda: free_slots(kf) == kf._transport.limits.max_concurrency, left()
    ), f"concurrency slots leaked: {free_slots(kf)} free"
    assert await eventually(lambda: not (other_tasks() - baseline), left()), (
        f"tasks left pending: {other_tasks() - baseline}"
    )


class LoopProblems:
    """Collects what the running loop reports to its exception handler ("Unclosed client
    session", "Task exception was never retrieved", ...) and every warning raised while
    active."""

    def __init__(self) -> None:
        self.reports: list[dict[str, Any]] = []
        self.warnings: list[warnings.WarningMessage] = []

    @contextlib.contextmanager
    def watch(self) -> Iterator[LoopProblems]:
        loop = asyncio.get_running_loop()
        previous = loop.get_exception_handler()
        loop.set_exception_handler(lambda _loop, context: self.reports.append(context))
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    yield self
                finally:
                    gc.collect()
            self.warnings.extend(caught)
        finally:
            loop.set_exception_handler(previous)

    def describe(self) -> list[str]:
        return [str(r.get("message")) for r in self.reports] + [
            f"{w.category.__name__}: {w.message}" for w in self.warnings
        ]
