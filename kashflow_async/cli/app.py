"""The `kashflow` application: global options, configuration and error handling.

Every command that talks to the API runs through `run`, which builds the client from
the global options (or the environment), runs the command's coroutine and turns any
failure into one clear line on stderr and exit status 1 (2 for usage errors). With
``--debug`` the traceback is shown too and the library logs its requests.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from ..client import DEFAULT_BASE_URL, KashFlowClient
from ..errors import (
    APIError,
    BadRequestError,
    InvalidArgumentError,
    KashFlowError,
    RateLimitError,
)

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "Settings",
    "app",
    "describe_error",
    "fail",
    "run",
    "settings_of",
    "stderr",
    "stdout",
]

T = TypeVar("T")

#: Exit status of a failed command.
EXIT_ERROR = 1
#: Exit status of a usage error (bad option, missing configuration).
EXIT_USAGE = 2
#: Exit status after Ctrl-C.
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="kashflow",
    help="Work with the KashFlow REST API v2 from the shell: invoices, quotes, bulk "
    "payments and credits, bulk import and export, and a local sandbox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Settings:
    """What the global options (or the environment) configure."""

    base_url: str = DEFAULT_BASE_URL
    token: str | None = None
    username: str | None = None
    password: str | None = None
    memorable_word: str | None = None
    xml: bool = False
    debug: bool = False
    timeout: float = 30.0
    max_retries: int = 3

    @property
    def wire_format(self) -> str:
        """``xml`` with ``--xml``, else ``json``."""
        return "xml" if self.xml else "json"

    def __repr__(self) -> str:  # never show a secret
        return f"Settings(base_url={self.base_url!r}, wire_format={self.wire_format!r})"

    def client(self, *, max_concurrency: int = 16) -> KashFlowClient:
        """A client configured by these settings (exit 2 when no credentials are given)."""
        if not self.token and not (self.username and self.password and self.memorable_word):
            usage_error(
                "no credentials: set KASHFLOW_TOKEN (or --token), or KASHFLOW_USERNAME, "
                "KASHFLOW_PASSWORD and KASHFLOW_MEMORABLE_WORD"
            )
        try:
            return KashFlowClient(
                token=self.token or None,
                username=self.username,
                password=self.password,
                memorable_word=self.memorable_word,
                base_url=self.base_url,
                wire_format=self.wire_format,
                timeout=self.timeout,
                max_retries=self.max_retries,
                max_concurrency=max_concurrency,
            )
        except InvalidArgumentError as exc:
            usage_error(str(exc))


def stdout() -> Console:
    """A console on the current standard output (data)."""
    return Console(file=sys.stdout, soft_wrap=True)


def stderr() -> Console:
    """A console on the current standard error (progress, messages, errors)."""
    return Console(file=sys.stderr, soft_wrap=True)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root command stored in the context."""
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, Settings):
        obj = Settings()
        root.obj = obj
    return obj


def describe_error(exc: BaseException) -> str:
    """One line for an error: the API's message and the invalid numbers, if any."""
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
    """The path of `url` below the API root (no query, which never holds secrets anyway)."""
    rest = url.split("://", 1)[-1]
    path = "/" + rest.split("/", 1)[1] if "/" in rest else url
    return path.split("?", 1)[0]


def usage_error(message: str) -> NoReturn:
    """Print a usage error and exit with status 2."""
    stderr().print(f"[bold red]Error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(EXIT_USAGE)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print one error line and exit with `code`."""
    stderr().print(f"[bold red]Error:[/] {_escape(message)}", highlight=False)
    raise typer.Exit(code)


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of the record."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


_debug_handler = _StderrHandler()
_debug_handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))


def _configure_logging(debug: bool) -> None:
    """With `debug`, log the library's requests to stderr; otherwise leave logging alone."""
    log = logging.getLogger("kashflow_async")
    if debug:
        if _debug_handler not in log.handlers:
            log.addHandler(_debug_handler)
        log.setLevel(logging.DEBUG)
    elif _debug_handler in log.handlers:
        log.removeHandler(_debug_handler)
        log.setLevel(logging.NOTSET)


def run(ctx: typer.Context, body: Callable[[], Awaitable[T]]) -> T:
    """Run the coroutine `body()` to completion with the CLI's error handling."""
    settings = settings_of(ctx)
    try:
        return asyncio.run(_as_coroutine(body))
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except BrokenPipeError:
        # the reader went away (``kashflow ... | head``): stop quietly
        _silence_stdout()
        raise typer.Exit(0) from None
    except KeyboardInterrupt:
        stderr().print("Interrupted.", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except InvalidArgumentError as exc:
        if settings.debug:
            stderr().print_exception()
        usage_error(_escape(describe_error(exc)))
    except (KashFlowError, OSError) as exc:
        if settings.debug:
            stderr().print_exception()
        fail(describe_error(exc))
    except Exception as exc:
        if settings.debug:
            stderr().print_exception()
        fail(f"unexpected {type(exc).__name__}: {describe_error(exc)} (use --debug for details)")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


async def _as_coroutine(body: Callable[[], Awaitable[T]]) -> T:
    return await body()


@app.callback()
def main_options(
    ctx: typer.Context,
    base_url: Annotated[
        str,
        typer.Option("--base-url", envvar="KASHFLOW_BASE_URL", help="API root.", show_default=True),
    ] = DEFAULT_BASE_URL,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="KASHFLOW_TOKEN", help="Session token.", show_default=False),
    ] = None,
    username: Annotated[
        str | None,
        typer.Option("--username", envvar="KASHFLOW_USERNAME", help="User name to log in with."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password", envvar="KASHFLOW_PASSWORD", help="Password (prefer the variable)."
        ),
    ] = None,
    memorable_word: Annotated[
        str | None,
        typer.Option(
            "--memorable-word",
            envvar="KASHFLOW_MEMORABLE_WORD",
            help="Memorable word (prefer the variable).",
        ),
    ] = None,
    xml: Annotated[bool, typer.Option("--xml", help="Speak XML instead of JSON.")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and log every request.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per request attempt.")
    ] = 30.0,
    max_retries: Annotated[
        int, typer.Option("--max-retries", min=0, help="Retries of a failed request.")
    ] = 3,
) -> None:
    """Work with the KashFlow REST API v2: invoices, quotes, bulk payments, credits,
    bulk import and export, and a local sandbox (`kashflow demo` shows it all)."""
    ctx.obj = Settings(
        base_url=base_url,
        token=token,
        username=username,
        password=password,
        memorable_word=memorable_word,
        xml=xml,
        debug=debug,
        timeout=timeout,
        max_retries=max_retries,
    )
    _configure_logging(debug)
