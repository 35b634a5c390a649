"""The bodies of the commands invoices and quotes share (get, list, export, import)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group

from ...client import KashFlowClient
from ...pagination import PageIterator
from ..app import EXIT_ERROR, fail, run, settings_of, stderr, stdout
from ..exporter import ExportFormat, export_records, format_for
from ..importer import import_file
from ..kinds import Kind
from ..output import OutputFormat, detail_table, encode_json, lines_table, pick_format
from ..output import write_records as write_list

__all__ = [
    "Concurrency",
    "Format",
    "Limit",
    "Order",
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
Order = Annotated[str | None, typer.Option("--order", help="Asc or Desc.", show_default=False)]
#: ``export``'s file format option
ExportFormatOpt = Annotated[
    ExportFormat | None,
    typer.Option("--format", "-f", case_sensitive=False, help="Default: from the file's suffix."),
]
#: ``export``'s summary switch
Summary = Annotated[
    bool, typer.Option("--summary", help="List fields only: no lines, one request a page.")
]
Concurrency = Annotated[
    int, typer.Option("--concurrency", "-c", min=1, max=64, help="Requests in flight at once.")
]

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
    ctx: typer.Context,
    kind: Kind,
    make: Callable[[KashFlowClient, int], PageIterator[Any]],
    limit: int | None,
    fmt: OutputFormat | None,
) -> None:
    """List records to standard output in the chosen format."""
    chosen = pick_format(fmt)
    perpage = min(limit, PAGE_SIZE) if limit else PAGE_SIZE

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            items = make(kf, perpage)
            count = await write_list(
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

    run(ctx, body)


def do_get(ctx: typer.Context, kind: Kind, number: int, fmt: OutputFormat | None) -> None:
    """Show one record in full: a table (with its lines) or its JSON."""
    chosen = pick_format(fmt)

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            record = await kind.resource(kf).get(number)
        if chosen is OutputFormat.table:
            title = f"{kind.name.capitalize()} {record.number}"
            parts: list[Any] = [detail_table(kind.detail_fields(record), title)]
            if record.line_items:
                parts.append(lines_table(record.line_items, kind.line_columns))
            stdout().print(Group(*parts))
        else:
            sys.stdout.write(encode_json(record) + "\n")

    run(ctx, body)


def do_export(
    ctx: typer.Context,
    kind: Kind,
    make: Callable[[KashFlowClient, int], PageIterator[Any]],
    path: Path,
    fmt: ExportFormat | None,
    summary: bool,
    concurrency: int,
) -> None:
    """Export every matching record to `path`."""
    chosen = format_for(path, fmt)

    async def body() -> None:
        console = stderr()
        async with settings_of(ctx).client(max_concurrency=max(16, concurrency + 4)) as kf:
            resource = kind.resource(kf)
            count, total = await export_records(
                kind,
                make(kf, 500 if summary else PAGE_SIZE),
                resource.get,
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

    run(ctx, body)


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
        fail("RESULTS must not be the input file", 2)

    async def body() -> None:
        console = stderr()
        async with settings_of(ctx).client(max_concurrency=max(16, concurrency)) as kf:
            try:
                summary = await import_file(
                    kind,
                    kind.resource(kf),
                    path,
                    results_path,
                    concurrency=concurrency,
                    resolve_ambiguous=resolve_ambiguous,
                    console=console,
                )
            except BaseException:
                console.print(
                    f"Stopped: every finished line is recorded in {results_path}; "
                    "run the same command again to resume.",
                    highlight=False,
                )
                raise
        parts = [
            f"{summary.total} lines: {summary.created} created",
            f"{summary.skipped} already done",
            f"{summary.failed} failed",
            f"{summary.invalid} invalid",
            f"{summary.ambiguous + summary.left_ambiguous} ambiguous",
        ]
        if summary.resolved:
            parts[0] += f" ({summary.resolved} confirmed by lookup)"
        console.print(", ".join(parts) + f". Results in {results_path}.", highlight=False)
        for problem in summary.first_problems:
            console.print(f"  {problem}", highlight=False, markup=False)
        if summary.ambiguous or summary.left_ambiguous:
            console.print(
                "Ambiguous lines may or may not have been created: check them, or run again "
                "with --resolve-ambiguous to look them up before creating.",
                highlight=False,
            )
        if not summary.clean:
            raise typer.Exit(EXIT_ERROR)

    run(ctx, body)
