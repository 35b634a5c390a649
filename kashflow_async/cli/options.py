"""Option shapes every command shares."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

__all__ = ["CommandGroup", "Yes", "flag"]


def flag(*names: str, help: str) -> Any:
    """A ``--name`` switch (no value: help shows no type, ``--name=yes`` is refused)."""
    return typer.Option(*names, help=help, metavar="")


#: ``--yes`` of the delete commands.
Yes = Annotated[bool, flag("--yes", "-y", help="Do not ask (needed without a terminal).")]


def _plain_help(command: Any, ctx: Any) -> None:
    """Show ``-h/--help`` without a value type, like every other switch."""
    if command is not None:
        option = command.get_help_option(ctx)
        if option is not None:
            option.metavar = ""


class CommandGroup(TyperGroup):
    """The command groups of `kashflow`: their ``--help`` (and their commands') is shown
    as a switch, without ``<bool>``."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        _plain_help(command, ctx)
        return command
