"""``kashflow payments``: bulk payments against invoices (or purchases): get, create,
delete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Group
from rich.text import Text

from ...client import KashFlowClient
from ...models import BulkPayment, BulkPaymentItem
from ...resources import InvoiceBulkPayments, PurchaseBulkPayments
from ..console import spinner
from ..formats.columns import PAYMENT_COLUMNS, PAYMENT_ITEM_COLUMNS, cell, row_of
from ..formats.writers import OutputFormat, detail_table, pick_format, records_table, write_one
from ..options import CommandGroup, Yes, flag
from ..settings import run_command, settings_of
from .deleting import confirm_delete, delete_each
from .documents import Format

__all__ = ["parse_item", "payment_view", "payments_app"]

payments_app = typer.Typer(
    cls=CommandGroup,
    help="Bulk payments: one payment spread over several invoices (or purchases).",
    no_args_is_help=True,
)

Purchases = Annotated[
    bool, flag("--purchases", help="Purchase bulk payments instead of invoice ones.")
]
#: CSV header of a bulk payment: its fields, then one item's (one row per item).
CSV_HEADER = [c.name for c in PAYMENT_COLUMNS] + [f"Item{c.name}" for c in PAYMENT_ITEM_COLUMNS]


def _resource(kf: KashFlowClient, purchases: bool) -> InvoiceBulkPayments | PurchaseBulkPayments:
    return kf.purchases.bulk_payments if purchases else kf.invoices.bulk_payments


def parse_item(text: str) -> BulkPaymentItem:
    """``NUMBER=AMOUNT`` (``1234=99.50``) as a payment item; BadParameter otherwise."""
    number, sep, amount = text.partition("=")
    try:
        if not sep:
            raise ValueError
        value = Decimal(amount.strip())
        if not value.is_finite():
            raise ValueError
        return BulkPaymentItem(object_number=int(number.strip()), amount=value)
    except (ValueError, InvalidOperation):
        raise typer.BadParameter(f"{text!r} is not NUMBER=AMOUNT (e.g. 1234=99.50)") from None


def payment_view(payment: BulkPayment, title: str) -> Group:
    """A bulk payment as a field table and an items table with their total."""
    head = detail_table([(c.name, c.get(payment)) for c in PAYMENT_COLUMNS], title)
    items = payment.payment_items or []
    table = records_table(PAYMENT_ITEM_COLUMNS, items)
    total = sum((item.amount or Decimal(0) for item in items), Decimal(0))
    table.add_row("", "", Text("Total", style="bold"), Text(cell(total), style="bold"))
    return Group(head, table)


def _write(payment: BulkPayment, fmt: OutputFormat, title: str) -> None:
    head = row_of(PAYMENT_COLUMNS, payment)
    rows = [head + row_of(PAYMENT_ITEM_COLUMNS, i) for i in payment.payment_items or []]
    write_one(
        payment,
        fmt,
        table=payment_view(payment, title),
        csv_header=CSV_HEADER,
        csv_rows=rows or [head + [""] * len(PAYMENT_ITEM_COLUMNS)],
    )


@payments_app.command("get")
def get_payment(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(min=1, help="Bulk payment number.")],
    purchases: Purchases = False,
    fmt: Format = None,
) -> None:
    """Show a bulk payment and its items."""
    chosen = pick_format(fmt)

    async def body() -> None:
        async with settings_of(ctx).client() as kf, spinner(f"Getting bulk payment {number}"):
            payment = await _resource(kf, purchases).get(number)
        _write(payment, chosen, f"Bulk payment {payment.number}")

    run_command(ctx, body)


@payments_app.command("create")
def create_payment(
    ctx: typer.Context,
    items: Annotated[
        list[str], typer.Argument(help="NUMBER=AMOUNT for each invoice (or purchase) paid.")
    ],
    account_id: Annotated[int, typer.Option("--account-id", help="Bank account id.")],
    method: Annotated[int, typer.Option("--method", help="Payment method id.")],
    date: Annotated[
        dt.datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Payment date (default: today)."),
    ] = None,
    comment: Annotated[str | None, typer.Option("--comment", help="Comment.")] = None,
    purchases: Purchases = False,
    fmt: Format = None,
) -> None:
    """Pay several invoices (or purchases) in one bulk payment (all or none)."""
    payment = BulkPayment(
        date=(date or dt.datetime.now()).date(),
        comment=comment,
        account_id=account_id,
        method=method,
        payment_items=[parse_item(text) for text in items],
    )
    chosen = pick_format(fmt)

    async def body() -> None:
        async with settings_of(ctx).client() as kf, spinner("Creating the bulk payment"):
            created = await _resource(kf, purchases).create(payment)
        _write(created, chosen, f"Created bulk payment {created.number}")

    run_command(ctx, body)


@payments_app.command("delete")
def delete_payment(
    ctx: typer.Context,
    numbers: Annotated[list[int], typer.Argument(min=1, help="Bulk payment numbers.")],
    purchases: Purchases = False,
    yes: Yes = False,
) -> None:
    """Delete bulk payments (their payments are removed from the invoices)."""
    confirm_delete("bulk payment" + ("s" if len(numbers) > 1 else ""), numbers, yes)

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            await delete_each("bulk payment", numbers, _resource(kf, purchases).delete)

    run_command(ctx, body)
