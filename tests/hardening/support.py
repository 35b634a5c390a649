"""Helpers for the hardening tests: servers on their own event loop in a thread, and
checks that a client has given back everything it took.

A server in its own thread keeps the test's event loop free of server tasks, so "no
task is left pending" can be asserted exactly, and server-side latency never stalls the
client.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiohttp import web

from kashflow_async import KashFlowClient
from kashflow_async.sandbox import Sandbox

HOST = "127.0.0.1"


class LoopThread:
    """An event loop running in a daemon thread; `call(coro)` runs a coroutine on it
    and waits (blocking) for the result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def call(self, coro: Awaitable[Any], timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.loop.shutdown_asyncgens()

        self.call(drain())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@contextlib.contextmanager
def sandbox_thread(sandbox: Sandbox) -> Iterator[Sandbox]:
    """Run `sandbox` on 127.0.0.1 in a thread of its own for the duration of the block."""
    runner = LoopThread()
    runner.start()
    try:
        runner.call(sandbox.start())
        try:
            yield sandbox
        finally:
            runner.call(sandbox.stop())
    finally:
        runner.stop()


@contextlib.contextmanager
def app_thread(app: web.Application) -> Iterator[str]:
    """Serve an aiohttp `app` on 127.0.0.1 in a thread; yields ``http://127.0.0.1:port``."""
    runner_thread = LoopThread()
    runner_thread.start()
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0, access_log=None)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        return int(runner.addresses[0][1])

    try:
        port = runner_thread.call(start())
        try:
            yield f"http://{HOST}:{port}"
        finally:
            runner_thread.call(runner.cleanup())
    finally:
        runner_thread.stop()


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
