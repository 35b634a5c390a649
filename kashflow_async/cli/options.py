"""Option shapes every command shares."""

from __future__ import annotations

from typing import Annotated, Any

import typer

__all__ = ["Yes", "flag"]


def flag(*names: str, help: str) -> Any:
    """A ``--name`` switch (no value: help shows no type, ``--name=yes`` is refused)."""
    return typer.Option(*names, help=help, metavar="")


#: ``--yes`` of the delete commands.
Yes = Annotated[bool, flag("--yes", "-y", help="Do not ask (needed without a terminal).")]
