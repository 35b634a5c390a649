"""Consoles, the one progress bar, the spinner, retry status lines and logging.

Data goes to standard output; progress, status lines and errors go to standard error,
so ``kashflow ... > file`` captures only the data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Mapping
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..errors import APIError
from ..transport._logging import _EnvHandler

__all__ = [
    "SPINNER_DELAY",
    "print_retry",
    "progress_bar",
    "retry_line",
    "setup_logging",
    "spinner",
    "stderr",
    "stdout",
]

#: Seconds a single request runs before the spinner shows.
SPINNER_DELAY = 1.0


def stdout() -> Console:
    """A console on the current standard output (data)."""
    return Console(file=sys.stdout, soft_wrap=True)


def stderr() -> Console:
    """A console on the current standard error (progress, messages, errors)."""
    return Console(file=sys.stderr, soft_wrap=True)


class _RateColumn(ProgressColumn):
    """Records per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "", style="progress.data.speed")


def progress_bar(console: Console) -> Progress:
    """The progress bar of every long command: description, bar, done/total, rate, time
    and ETA (a description alone while the total is unknown)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


@contextlib.asynccontextmanager
async def spinner(text: str, delay: float | None = None) -> AsyncIterator[None]:
    """Show a spinner with `text` on a terminal's stderr once the block has run for
    `delay` seconds (`SPINNER_DELAY`); nothing on a pipe or for a quick block."""
    console = stderr()
    if not console.is_terminal:
        yield
        return
    status = console.status(text)
    wait = SPINNER_DELAY if delay is None else delay
    handle = asyncio.get_running_loop().call_later(wait, status.start)
    try:
        yield
    finally:
        handle.cancel()
        status.stop()


def retry_line(event: Any) -> str:
    """``HTTP 503, retrying in 1.2 s (2/3)`` for a retry event (status or error, delay,
    attempt and the retries allowed)."""
    error = getattr(event, "error", None)
    status = getattr(event, "status", None)
    if status is None and isinstance(error, APIError):
        status = error.status
    if status is not None:
        what = f"HTTP {status}"
    elif error is not None:  # "could not connect (...) (GET url)": the first words
        what = str(error).split(" (", 1)[0].strip() or type(error).__name__
    else:
        what = "failed"
    delay = float(getattr(event, "delay", 0.0) or 0.0)
    attempt = getattr(event, "attempt", None)
    retries = getattr(event, "max_retries", None)
    count = f" ({attempt}/{retries})" if attempt is not None and retries is not None else ""
    return f"{what}, retrying in {delay:.1f} s{count}"


def print_retry(event: Any) -> None:
    """The CLI's ``retry`` event hook: one status line on stderr."""
    stderr().print(retry_line(event), highlight=False, markup=False)


class _StderrHandler(_EnvHandler):
    """The one log handler: writes to whatever `sys.stderr` is at the time."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


_handler = _StderrHandler()
_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def setup_logging(debug: bool, environ: Mapping[str, str] | None = None) -> None:
    """The one place the CLI sets up logging: ``--debug`` or ``KASHFLOW_LOG`` chooses
    the level of the ``kashflow_async`` logger, and one stderr handler writes it (the
    client's own ``KASHFLOW_LOG`` handler is then not added a second time)."""
    log = logging.getLogger("kashflow_async")
    value = (environ if environ is not None else os.environ).get("KASHFLOW_LOG", "")
    level = logging.DEBUG if debug else _LEVELS.get(value.strip().lower())
    for handler in [h for h in log.handlers if isinstance(h, _EnvHandler)]:
        log.removeHandler(handler)
    if level is None:
        log.setLevel(logging.NOTSET)
        return
    log.addHandler(_handler)
    log.setLevel(level)
