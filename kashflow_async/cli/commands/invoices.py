"""``kashflow invoices``: list, get, export, import, delete."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ...client import KashFlowClient
from ...models import InvoiceFilter, InvoiceSortField, SortOrder
from ...pagination import PageIterator
from ..kinds import INVOICES
from ..options import CommandGroup, Yes, wire_choice, wire_choices
from .documents import (
    Concurrency,
    Customer,
    ExportFile,
    ExportFormatOpt,
    Format,
    Limit,
    OrderOpt,
    Summary,
    do_delete,
    do_export,
    do_get,
    do_list,
)
from .records import add_import

__all__ = ["invoices_app"]

invoices_app = typer.Typer(cls=CommandGroup, help="Sales invoices.", no_args_is_help=True)

Status = Annotated[
    InvoiceFilter | None,
    typer.Option(
        "--status", "-s", case_sensitive=False, help="Filter (filterby).", show_default=False
    ),
]
SortBy = Annotated[
    InvoiceSortField | None,
    typer.Option(
        "--sort-by",
        parser=wire_choice(InvoiceSortField),
        metavar=wire_choices(InvoiceSortField),
        help="Sort column (any letter case).",
        show_default=False,
    ),
]
Project = Annotated[
    int | None,
    typer.Option("--project", min=0, help="Only this project number.", show_default=False),
]


def _lister(
    status: InvoiceFilter | None,
    sort_by: InvoiceSortField | None,
    order: SortOrder | None,
    customer: str | None,
    project: int | None,
) -> Any:
    def make(kf: KashFlowClient, perpage: int) -> PageIterator[Any]:
        return kf.invoices.list(
            perpage=perpage,
            status=status,
            sortby=sort_by,
            order=order,
            customer_code=customer,
            project_number=project,
        )

    return make


@invoices_app.command("list")
def list_invoices(
    ctx: typer.Context,
    status: Status = None,
    sort_by: SortBy = None,
    order: OrderOpt = None,
    customer: Customer = None,
    project: Project = None,
    limit: Limit = None,
    fmt: Format = None,
) -> None:
    """List invoice summaries."""
    do_list(ctx, INVOICES, _lister(status, sort_by, order, customer, project), limit, fmt)


@invoices_app.command("get")
def get_invoice(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(min=1, help="Invoice number.")],
    fmt: Format = None,
) -> None:
    """Show one invoice with its lines."""
    do_get(ctx, INVOICES, number, fmt)


@invoices_app.command("export")
def export_invoices(
    ctx: typer.Context,
    file: ExportFile,
    fmt: ExportFormatOpt = None,
    status: Status = None,
    sort_by: SortBy = None,
    order: OrderOpt = None,
    customer: Customer = None,
    project: Project = None,
    summary: Summary = False,
    concurrency: Concurrency = 8,
) -> None:
    """Export every matching invoice (with its lines) to JSON Lines or CSV."""
    make = _lister(status, sort_by, order, customer, project)
    do_export(ctx, INVOICES, make, file, fmt, summary, concurrency)


add_import(invoices_app, INVOICES, "Create an invoice for each line of FILE; run again to resume.")


@invoices_app.command("delete")
def delete_invoices(
    ctx: typer.Context,
    numbers: Annotated[list[int], typer.Argument(min=1, help="Invoice numbers.")],
    yes: Yes = False,
) -> None:
    """Delete invoices: every number is tried, each reported; exit 1 if any failed."""
    do_delete(ctx, INVOICES, numbers, yes)
