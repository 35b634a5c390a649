"""Exit codes, and the one place that turns an exception into a line on stderr.

Every command that talks to the API runs its coroutine through `run`: a failure
becomes one clear line and exit status 1 (2 for usage errors, 130 after Ctrl-C); with
``--debug`` the traceback is printed too.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import typer

from ..errors import (
    APIError,
    BadRequestError,
    InvalidArgumentError,
    KashFlowError,
    RateLimitError,
)
from .console import stderr

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "describe_error",
    "fail",
    "run",
    "usage_error",
]

T = TypeVar("T")

#: Exit status of success.
EXIT_OK = 0
#: Exit status of a failed command.
EXIT_ERROR = 1
#: Exit status of a usage error (bad option, missing configuration, no terminal to ask).
EXIT_USAGE = 2
#: Exit status after Ctrl-C.
EXIT_INTERRUPTED = 130


def describe_error(exc: BaseException) -> str:
    """One line for an error: the API's message, the request, the invalid numbers."""
    if isinstance(exc, APIError):
        text = exc.message or exc.error or f"HTTP {exc.status}"
        line = f"{text} (HTTP {exc.status}"
        if exc.method:
            line += f", {exc.method} {_path(exc.url)}"
        line += ")"
        if isinstance(exc, BadRequestError) and exc.invalid_numbers:
            line += " - invalid numbers: " + ", ".join(str(n) for n in exc.invalid_numbers)
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            line += f" - retry after {exc.retry_after:g} s"
        return line
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _path(url: str) -> str:
    """The path of `url` (no query)."""
    rest = url.split("://", 1)[-1]
    path = "/" + rest.split("/", 1)[1] if "/" in rest else url
    return path.split("?", 1)[0]


def _say(message: str) -> None:
    stderr().print(f"[bold red]Error:[/] {message.replace('[', chr(92) + '[')}", highlight=False)


def usage_error(message: str) -> NoReturn:
    """Print a usage error and exit with status 2."""
    _say(message)
    raise typer.Exit(EXIT_USAGE)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print one error line and exit with `code`."""
    _say(message)
    raise typer.Exit(code)


def run(body: Callable[[], Awaitable[T]], *, debug: bool = False) -> T:
    """Run the coroutine `body()` to completion; any failure becomes one line and an exit.

    The first Ctrl-C cancels `body` (which records what it must on the way out); any
    later one is ignored, so the command always ends with status 130."""
    interrupt = _Interrupt()
    try:
        with interrupt:
            return asyncio.run(interrupt.running(body))
    except asyncio.CancelledError:
        if not interrupt.seen:
            raise
        stderr().print("Interrupted.", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except BrokenPipeError:  # the reader went away (``kashflow ... | head``): stop quietly
        _silence_stdout()
        raise typer.Exit(EXIT_OK) from None
    except KeyboardInterrupt:
        stderr().print("Interrupted.", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if debug:
            stderr().print_exception()
        if isinstance(exc, InvalidArgumentError):
            usage_error(describe_error(exc))
        if isinstance(exc, (KashFlowError, OSError)):
            fail(describe_error(exc))
        fail(f"unexpected {type(exc).__name__}: {describe_error(exc)} (use --debug for details)")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


class _Interrupt:
    """Ctrl-C while a command runs: the first cancels its coroutine, later ones are
    ignored (after one, SIGINT stays ignored until the process ends)."""

    def __init__(self) -> None:
        self.seen = 0
        self._task: asyncio.Task[Any] | None = None
        self._previous: Any = None

    async def running(self, body: Callable[[], Awaitable[T]]) -> T:
        self._task = asyncio.current_task()
        return await body()

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.seen += 1
        task = self._task
        if self.seen == 1 and task is not None and not task.done():
            task.cancel()
            task.get_loop().call_soon_threadsafe(lambda: None)  # wake the loop
        elif self.seen == 1:
            raise KeyboardInterrupt

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is None:
            return
        if self.seen:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command is ending: stay 130
        else:
            signal.signal(signal.SIGINT, self._previous)
