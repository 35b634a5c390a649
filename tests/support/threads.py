"""The one sandbox harness of the tests: servers on an event loop of their own.

A command under test (``kashflow ...``) runs its own event loop, and a hardening test
asserts that its loop holds no task of its own when done: both need the server on
another loop. `sandbox_thread` serves a `Sandbox` in a thread, `app_thread` any aiohttp
app; `sandbox_process` runs ``kashflow sandbox`` in a process of its own (its own GIL, as
a real server would be).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Awaitable, Iterator, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from kashflow_async.sandbox import Sandbox

__all__ = [
    "HOST",
    "LoopThread",
    "app_thread",
    "sandbox_env",
    "sandbox_process",
    "sandbox_thread",
]

HOST = "127.0.0.1"


class LoopThread:
    """An event loop running in a daemon thread; `call(coro)` runs a coroutine on it
    and waits (blocking) for the result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def call(self, coro: Awaitable[Any], timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.loop.shutdown_asyncgens()
            # transports closed by the server's shutdown close their sockets in callbacks
            # of the next loop steps: let them run, or the sockets are left to the GC
            # (a ResourceWarning in whichever test runs then)
            await asyncio.sleep(0.05)

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


def sandbox_env(sandbox: Sandbox) -> dict[str, str]:
    """The environment that points the ``kashflow`` command at `sandbox`."""
    return {"KASHFLOW_BASE_URL": sandbox.url, "KASHFLOW_TOKEN": sandbox.token}


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


@contextlib.contextmanager
def sandbox_process(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Iterator[dict[str, str]]:
    """``kashflow sandbox ARGS --port 0`` in its own process until the block ends
    (Ctrl-C); yields the environment that points the CLI at it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kashflow_async.cli", "sandbox", *args, "--port", "0"],
        cwd=cwd,
        env=dict(env if env is not None else os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" at ", 1)[1].strip()
        token = proc.stdout.readline().split(":", 1)[1].strip()
        yield {"KASHFLOW_BASE_URL": url, "KASHFLOW_TOKEN": token}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
