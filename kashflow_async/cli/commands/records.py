"""``kashflow customers|suppliers|purchases|projects``: the record commands (list, get,
export, import) of a kind of record, made from its row of the kinds table and the
sort columns of its list."""

# no `from __future__ import annotations`: typer reads these annotations at run time,
# and they name the kind's own sort enumeration

from enum import Enum
from typing import Annotated, Any

import typer

from ...client import KashFlowClient
from ...models import SortOrder
from ...pagination import PageIterator
from ..kinds import Kind
from ..options import CommandGroup
from .documents import (
    Concurrency,
    ExportFile,
    ExportFormatOpt,
    Format,
    ImportFile,
    Limit,
    OrderOpt,
    ResolveAmbiguous,
    Results,
    Summary,
    do_export,
    do_get,
    do_import,
    do_list,
)

__all__ = ["add_import", "records_app"]


def add_import(app: typer.Typer, kind: Kind, help_text: str) -> None:
    """Add ``import`` (create a record for each line of FILE, resumably) to `app`."""

    @app.command("import")
    def import_records(
        ctx: typer.Context,
        file: ImportFile,
        results: Results = None,
        concurrency: Concurrency = 8,
        resolve_ambiguous: ResolveAmbiguous = False,
    ) -> None:
        do_import(ctx, kind, file, results, concurrency, resolve_ambiguous)

    import_records.__doc__ = help_text


def records_app(
    kind: Kind,
    help_text: str,
    sort: type[Enum] | None = None,
    *,
    transfer: bool = True,
) -> typer.Typer:
    """The commands of `kind`: ``list`` (sorted by `sort`'s columns when given), and
    unless not `transfer`, ``get``, ``export`` and ``import``."""
    app = typer.Typer(cls=CommandGroup, help=help_text, no_args_is_help=True)
    columns: Any = sort or str  # a kind without sort columns has no --sort-by (see list)
    SortBy = Annotated[
        columns | None,
        typer.Option(
            "--sort-by",
            case_sensitive=False,
            metavar="|".join(str(f.value) for f in sort or ()),
            help="Sort column (any letter case).",
            show_default=False,
        ),
    ]

    def lister(sort_by: Any, order: SortOrder | None) -> Any:
        def make(kf: KashFlowClient, perpage: int) -> PageIterator[Any]:
            sorting = {} if sort is None else {"sortby": sort_by, "order": order}
            listed: PageIterator[Any] = kind.resource(kf).list(perpage=perpage, **sorting)
            return listed

        return make

    if sort is not None:

        @app.command("list")
        def list_sorted(
            ctx: typer.Context,
            sort_by: SortBy = None,
            order: OrderOpt = None,
            limit: Limit = None,
            fmt: Format = None,
        ) -> None:
            """List the records (summaries)."""
            do_list(ctx, kind, lister(sort_by, order), limit, fmt)

        list_records: Any = list_sorted
    else:

        @app.command("list")
        def list_unsorted(ctx: typer.Context, limit: Limit = None, fmt: Format = None) -> None:
            """List the records."""
            do_list(ctx, kind, lister(None, None), limit, fmt)

        list_records = list_unsorted

    list_records.__doc__ = f"List {kind.plural} (summaries)."
    if not transfer:
        return app

    @app.command("get")
    def get_record(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(metavar=kind.key.upper(), help="What to show.")],
        fmt: Format = None,
    ) -> None:
        """Show one record in full."""
        if kind.key == "number":
            if not key.isdigit() or int(key) < 1:
                raise typer.BadParameter(f"not a {kind.name} number: {key!r}", param_hint="NUMBER")
            do_get(ctx, kind, int(key), fmt)
        else:
            do_get(ctx, kind, key, fmt)

    get_record.__doc__ = f"Show one {kind.name} in full (by {kind.key})."

    @app.command("export")
    def export_records(
        ctx: typer.Context,
        file: ExportFile,
        fmt: ExportFormatOpt = None,
        sort_by: SortBy = None,
        order: OrderOpt = None,
        summary: Summary = False,
        concurrency: Concurrency = 8,
    ) -> None:
        """Export every record to JSON Lines or CSV."""
        do_export(ctx, kind, lister(sort_by, order), file, fmt, summary, concurrency)

    export_records.__doc__ = f"Export every {kind.name} (in full) to JSON Lines or CSV."

    add_import(app, kind, f"Create a {kind.name} for each line of FILE; run again to resume.")
    return app
