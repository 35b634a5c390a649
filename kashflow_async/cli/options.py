"""Option shapes every command shares."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

__all__ = ["CommandGroup", "Yes", "flag", "usage_name", "wire_choice", "wire_choices"]

E = TypeVar("E", bound=Enum)


def flag(*names: str, help: str) -> Any:
    """A ``--name`` switch (no value: help shows no type, ``--name=yes`` is refused)."""
    return typer.Option(*names, help=help, metavar="")


def wire_choices(enum: type[Enum]) -> str:
    """The values of `enum` as the API spells them, for a help line: ``Number|CustomerRef``."""
    return "|".join(str(member.value) for member in enum)


def wire_choice(enum: type[E]) -> Callable[[str], E]:
    """A parser of `enum`'s values in any letter case; its error lists them as the API
    (and the help line, `wire_choices`) spells them."""

    def parse(text: str | E) -> E:
        if isinstance(text, enum):
            return text
        for member in enum:
            if str(member.value).casefold() == str(text).casefold():
                return member
        allowed = ", ".join(repr(member.value) for member in enum)
        raise typer.BadParameter(f"{text!r} is not one of {allowed} (any letter case).")

    return parse


#: ``--yes`` of the delete commands.
Yes = Annotated[bool, flag("--yes", "-y", help="Do not ask (needed without a terminal).")]


def _plain_help(command: Any, ctx: Any) -> None:
    """Show ``-h/--help`` without a value type, like every other switch."""
    if command is not None:
        option = command.get_help_option(ctx)
        if option is not None:
            option.metavar = ""


def usage_name(argument: Any) -> str:
    """An argument as a usage line shows it: ``NUMBER``, ``[FILE]``, ``NUMBER...``
    (upper case, brackets only when optional, never braces)."""
    name = str(argument.metavar or argument.name).upper()
    if not argument.required:
        name = f"[{name}]"
    return name + ("..." if argument.nargs != 1 else "")


def _plain_arguments(command: Any) -> None:
    """Name the command's arguments in upper case, in its help and its usage line."""
    for param in getattr(command, "params", ()):
        if param.param_type_name == "argument":
            param.metavar = str(param.metavar or param.name).upper()
            param.get_usage_pieces = lambda ctx, param=param: [usage_name(param)]


class CommandGroup(TyperGroup):
    """The command groups of `kashflow`: their ``--help`` (and their commands') is shown
    as a switch, without ``<bool>``; their commands' arguments in upper case, without
    braces."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        _plain_help(command, ctx)
        _plain_arguments(command)
        return command
