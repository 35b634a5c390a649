"""``kashflow nominals list``: the kinds of record listed whole, in one request, written
by the same writers as invoice lists. A new one is a `ListedKind` row in `kinds`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import typer

from ..console import stderr
from ..formats.writers import OutputFormat, pick_format, write_records
from ..kinds import LISTED_KINDS, ListedKind
from ..options import CommandGroup
from ..settings import run_command, settings_of
from .documents import Format, Limit

__all__ = ["listed_apps"]


async def _records(items: list[Any], limit: int | None) -> AsyncIterator[Any]:
    for item in items[:limit] if limit else items:
        yield item


def do_list_whole(
    ctx: typer.Context, kind: ListedKind, limit: int | None, fmt: OutputFormat | None
) -> None:
    """Fetch every record of `kind` and write it to standard output in the chosen format."""
    chosen = pick_format(fmt)

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            items = await kind.fetch(kf)
            count = await write_records(
                _records(items, limit), kind.columns, chosen, title=kind.plural.capitalize()
            )
        if chosen is OutputFormat.table:
            stderr().print(f"{count} of {len(items)} {kind.plural}", highlight=False)

    run_command(ctx, body)


def _app(kind: ListedKind) -> typer.Typer:
    group = typer.Typer(cls=CommandGroup, help=kind.help, no_args_is_help=True)

    @group.command("list")
    def list_all(ctx: typer.Context, limit: Limit = None, fmt: Format = None) -> None:
        """List every record (one request)."""
        do_list_whole(ctx, kind, limit, fmt)

    list_all.__doc__ = f"List every {kind.name}."
    return group


#: ``(command group name, app)`` of every kind listed whole.
listed_apps = [(kind.plural, _app(kind)) for kind in LISTED_KINDS]
