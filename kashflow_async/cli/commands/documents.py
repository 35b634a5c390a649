"""The commands invoices and quotes share: list, get, export, import, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group

from ...client import KashFlowClient
from ...models import SortOrder
from ...pagination import PageIterator
from ..console import spinner, stderr
from ..errors import EXIT_ERROR, fail, usage_error
from ..formats.writers import (
    OutputFormat,
    detail_table,
    pick_format,
    records_table,
    write_one,
    write_records,
)
from ..kinds import Kind
from ..options import flag
from ..settings import run_command, settings_of
from ..transfer.exporter import SUFFIXES, ExportFormat, export_records, format_for
from ..transfer.importer import ImportSummary, import_file
from ..transfer.inputs import InputFileError
from .deleting import confirm_delete, delete_each

__all__ = [
    "Concurrency",
    "Customer",
    "ExportFile",
    "ExportFormatOpt",
    "Format",
    "ImportFile",
    "Limit",
    "OrderOpt",
    "ResolveAmbiguous",
    "Results",
    "Summary",
    "do_delete",
    "do_export",
    "do_get",
    "do_import",
    "do_list",
]

Format = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="Output format (default: table on a terminal, jsonl otherwise).",
        show_default=False,
    ),
]
Limit = Annotated[
    int | None, typer.Option("--limit", "-n", min=1, help="Stop after this many records.")
]
#: ``export``'s file format option
ExportFormatOpt = Annotated[
    ExportFormat | None,
    typer.Option("--format", "-f", case_sensitive=False, help="Default: from the file's suffix."),
]
#: ``export``'s summary switch
Summary = Annotated[bool, flag("--summary", help="List fields only: no lines, one request a page.")]
Concurrency = Annotated[
    int, typer.Option("--concurrency", "-c", min=1, max=64, help="Requests in flight at once.")
]
#: The file ``export`` writes.
ExportFile = Annotated[Path, typer.Argument(help="File to write (.jsonl or .csv).", dir_okay=False)]
#: The file ``import`` reads.
ImportFile = Annotated[
    Path, typer.Argument(help="JSON Lines (or export CSV) file.", exists=True, dir_okay=False)
]
Results = Annotated[
    Path | None,
    typer.Option("--results", "-r", help="Results log (default: FILE.results.jsonl)."),
]
ResolveAmbiguous = Annotated[
    bool, flag("--resolve-ambiguous", help="Look up ambiguous lines without a Number by content.")
]
OrderOpt = Annotated[
    SortOrder | None,
    typer.Option("--order", case_sensitive=False, help="Sort order.", show_default=False),
]
Customer = Annotated[
    str | None, typer.Option("--customer", help="Only this customer code.", show_default=False)
]
#: A function that starts the listing with the command's filters, `perpage` a page.
Lister = Callable[[KashFlowClient, int], PageIterator[Any]]

PAGE_SIZE = 100


async def _limited(items: PageIterator[Any], limit: int | None) -> AsyncIterator[Any]:
    count = 0
    try:
        async for item in items:
            if limit is not None and count >= limit:
                break
            yield item
            count += 1
    finally:
        await items.aclose()


def do_list(
    ctx: typer.Context, kind: Kind, make: Lister, limit: int | None, fmt: OutputFormat | None
) -> None:
    """List records to standard output in the chosen format."""
    chosen = pick_format(fmt)
    perpage = min(limit, PAGE_SIZE) if limit else PAGE_SIZE

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            items = make(kf, perpage)
            count = await write_records(
                _limited(items, limit),
                kind.columns,
                chosen,
                table_columns=kind.table_columns,
                title=kind.plural.capitalize(),
            )
            if chosen is OutputFormat.table:
                total = items.total_records
                shown = f"{count} of {total}" if total is not None else str(count)
                stderr().print(f"{shown} {kind.plural}", highlight=False)

    run_command(ctx, body)


def do_get(ctx: typer.Context, kind: Kind, number: int | str, fmt: OutputFormat | None) -> None:
    """Show one record in full: a table with its lines, its JSON, or its CSV rows
    (`number`: its number, or its code for customers and suppliers)."""
    chosen = pick_format(fmt)

    async def body() -> None:
        async with settings_of(ctx).client() as kf, spinner(f"Getting {kind.name} {number}"):
            record = await kind.resource(kf).get(number)
        title = f"{kind.name.capitalize()} {getattr(record, kind.key)}"
        parts: list[Any] = [detail_table(kind.detail_fields(record), title)]
        lines = getattr(record, "line_items", None)
        if lines:
            parts.append(records_table(kind.line_columns, lines))
        write_one(
            record, chosen, table=Group(*parts), csv_header=kind.csv_columns,
            csv_rows=kind.rows(record),
        )  # fmt: skip

    run_command(ctx, body)


def do_export(
    ctx: typer.Context,
    kind: Kind,
    make: Lister,
    path: Path,
    fmt: ExportFormat | None,
    summary: bool,
    concurrency: int,
) -> None:
    """Export every matching record to `path`."""
    chosen = format_for(path, fmt)
    if chosen is None:
        usage_error(
            f"cannot tell the format of {path.name!r} from its suffix "
            f"({', '.join(SUFFIXES)}): add --format jsonl or --format csv"
        )

    async def body() -> None:
        console = stderr()
        async with settings_of(ctx).client(max_concurrency=max(16, concurrency + 4)) as kf:
            count, total = await export_records(
                kind,
                make(kf, 500 if summary else PAGE_SIZE),
                kind.resource(kf).get,
                path,
                chosen,
                full=not summary,
                concurrency=concurrency,
                console=console,
            )
        console.print(
            f"Exported {count} {kind.plural} (TotalRecords {total}) to {path} as {chosen.value}.",
            highlight=False,
        )

    run_command(ctx, body)


def do_import(
    ctx: typer.Context,
    kind: Kind,
    path: Path,
    results: Path | None,
    concurrency: int,
    resolve_ambiguous: bool,
) -> None:
    """Import `path`, logging to `results` (default: FILE.results.jsonl)."""
    results_path = results or path.with_name(path.name + ".results.jsonl")
    if results_path.resolve() == path.resolve():
        usage_error("RESULTS must not be the input file")
    summary = ImportSummary()

    async def body() -> None:
        console = stderr()
        async with settings_of(ctx).client(max_concurrency=max(16, concurrency)) as kf:
            try:
                await import_file(
                    kind,
                    kind.resource(kf),
                    path,
                    results_path,
                    concurrency=concurrency,
                    resolve_ambiguous=resolve_ambiguous,
                    console=console,
                    summary=summary,
                )
            except InputFileError as exc:
                fail(str(exc))
            except BaseException:
                if summary.recorded:
                    console.print(
                        f"Stopped: the {summary.recorded} lines finished in this run are "
                        f"recorded in {results_path}; run the same command again to resume.",
                        highlight=False,
                    )
                raise
        _report(console, summary, results_path)
        if not summary.clean:
            raise typer.Exit(EXIT_ERROR)

    run_command(ctx, body)


def _report(console: Any, summary: ImportSummary, results_path: Path) -> None:
    parts = [
        f"{summary.total} lines: {summary.created} created",
        f"{summary.skipped} already done",
        f"{summary.failed} failed",
        f"{summary.invalid} invalid",
        f"{summary.ambiguous + summary.left_ambiguous} ambiguous",
    ]
    if summary.not_sent:
        parts.append(f"{summary.not_sent} not sent")
    if summary.resolved:
        parts[0] += f" ({summary.resolved} found by lookup)"
    console.print(", ".join(parts) + f". Results in {results_path}.", highlight=False)
    for problem in summary.problem_lines:
        console.print(f"  {problem}", highlight=False, markup=False)
    if summary.ambiguous or summary.left_ambiguous:
        console.print(
            "Ambiguous lines may or may not have been created. The next run looks those "
            "with a Number up before sending; add --resolve-ambiguous to look up the "
            "others by their content.",
            highlight=False,
        )


def do_delete(ctx: typer.Context, kind: Kind, numbers: Sequence[int], yes: bool) -> None:
    """Delete records by number (see `confirm_delete` and `delete_each`)."""
    confirm_delete(kind.name + ("s" if len(numbers) > 1 else ""), numbers, yes)

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            await delete_each(kind.name, numbers, kind.resource(kf).delete)

    run_command(ctx, body)
