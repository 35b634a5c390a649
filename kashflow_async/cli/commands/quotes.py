"""``kashflow quotes``: list, get, export, import, convert."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ...client import KashFlowClient
from ...models import QuoteSortField, SortOrder
from ...pagination import PageIterator
from ..console import spinner
from ..formats.columns import CONVERSION_COLUMNS, row_of
from ..formats.writers import pick_format, records_table, write_one
from ..kinds import QUOTES
from ..options import CommandGroup, wire_choice, wire_choices
from ..settings import run_command, settings_of
from .documents import (
    Concurrency,
    Customer,
    ExportFile,
    ExportFormatOpt,
    Format,
    Limit,
    OrderOpt,
    Summary,
    do_export,
    do_get,
    do_list,
)
from .records import add_import

__all__ = ["quotes_app"]

quotes_app = typer.Typer(
    cls=CommandGroup, help="Quotes, and converting them to invoices.", no_args_is_help=True
)

SortBy = Annotated[
    QuoteSortField | None,
    typer.Option(
        "--sort-by",
        parser=wire_choice(QuoteSortField),
        metavar=wire_choices(QuoteSortField),
        help="Sort column (any letter case).",
        show_default=False,
    ),
]


def _lister(sort_by: QuoteSortField | None, order: SortOrder | None, customer: str | None) -> Any:
    def make(kf: KashFlowClient, perpage: int) -> PageIterator[Any]:
        return kf.quotes.list(perpage=perpage, sortby=sort_by, order=order, customer_code=customer)

    return make


@quotes_app.command("list")
def list_quotes(
    ctx: typer.Context,
    sort_by: SortBy = None,
    order: OrderOpt = None,
    customer: Customer = None,
    limit: Limit = None,
    fmt: Format = None,
) -> None:
    """List quotes."""
    do_list(ctx, QUOTES, _lister(sort_by, order, customer), limit, fmt)


@quotes_app.command("get")
def get_quote(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(min=1, help="Quote number.")],
    fmt: Format = None,
) -> None:
    """Show one quote with its lines."""
    do_get(ctx, QUOTES, number, fmt)


@quotes_app.command("export")
def export_quotes(
    ctx: typer.Context,
    file: ExportFile,
    fmt: ExportFormatOpt = None,
    sort_by: SortBy = None,
    order: OrderOpt = None,
    customer: Customer = None,
    summary: Summary = False,
    concurrency: Concurrency = 8,
) -> None:
    """Export every matching quote (with its lines) to JSON Lines or CSV."""
    do_export(ctx, QUOTES, _lister(sort_by, order, customer), file, fmt, summary, concurrency)


add_import(
    quotes_app,
    QUOTES,
    "Create a quote for each line of FILE (each needs its Number); run again to resume.",
)


@quotes_app.command("convert")
def convert_quotes(
    ctx: typer.Context,
    numbers: Annotated[list[int], typer.Argument(min=1, help="Quote numbers.")],
    retain: Annotated[
        bool | None,
        typer.Option(
            "--retain/--no-retain",
            help="Keep or remove the quotes (default: the account's setting).",
            show_default=False,
            metavar="",
        ),
    ] = None,
    fmt: Format = None,
) -> None:
    """Convert quotes to invoices, all or none (a 400 lists the invalid numbers)."""
    chosen = pick_format(fmt)

    async def body() -> None:
        async with settings_of(ctx).client() as kf, spinner("Converting"):
            conversions = await kf.invoices.convert_quotes(numbers, retain=retain)
        write_one(
            conversions,
            chosen,
            table=records_table(CONVERSION_COLUMNS, conversions, title="Converted"),
            csv_header=["QuoteNumber", "InvoiceNumber"],
            csv_rows=(row_of(CONVERSION_COLUMNS, c) for c in conversions),
        )

    run_command(ctx, body)
