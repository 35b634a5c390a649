"""Deleting: ask on a terminal, require ``--yes`` without one, and try every number."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence

import typer

from ..console import spinner, stderr
from ..errors import EXIT_ERROR, EXIT_USAGE, describe_error, fail

__all__ = ["can_ask", "confirm_delete", "delete_each"]


def can_ask() -> bool:
    """Whether there is a terminal to ask on (standard input is one)."""
    return sys.stdin.isatty()


def confirm_delete(what: str, numbers: Sequence[int], yes: bool) -> None:
    """Ask before deleting `what` `numbers` (exit 0 on no); without a terminal to ask
    on, refuse unless `yes` (exit 2)."""
    if yes:
        return
    listed = ", ".join(str(n) for n in numbers)
    if not can_ask():
        fail(f"not deleting {what} {listed}: no terminal to confirm on; add --yes", EXIT_USAGE)
    if not typer.confirm(f"Delete {what} {listed}?", default=False):
        stderr().print("Nothing deleted.", highlight=False)
        raise typer.Exit(0)


async def delete_each(
    what: str, numbers: Sequence[int], delete: Callable[[int], Awaitable[None]]
) -> None:
    """Delete every number (one after the other), one line for each; exit 1 if any
    failed."""
    console = stderr()
    failed = 0
    for number in numbers:
        try:
            async with spinner(f"Deleting {what} {number}"):
                await delete(number)
        except Exception as exc:
            failed += 1
            console.print(
                f"Not deleted: {what} {number}: {describe_error(exc)}",
                highlight=False,
                markup=False,
            )
        else:
            console.print(f"Deleted {what} {number}.", highlight=False)
    if failed:
        console.print(f"{failed} of {len(numbers)} not deleted.", highlight=False)
        raise typer.Exit(EXIT_ERROR)
