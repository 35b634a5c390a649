"""``kashflow payments``: bulk payments against invoices (or purchases): get, create,
delete."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ...client import KashFlowClient
from ...models import BulkPayment, BulkPaymentItem
from ...resources import InvoiceBulkPayments, PurchaseBulkPayments
from ..app import run, settings_of, stderr, stdout
from ..output import OutputFormat, detail_table, encode_json, pick_format
from ..records import cell
from ._shared import Format

__all__ = ["parse_item", "payment_view", "payments_app"]

payments_app = typer.Typer(
    help="Bulk payments: one payment spread over several invoices (or purchases).",
    no_args_is_help=True,
)

Purchases = Annotated[
    bool, typer.Option("--purchases", help="Purchase bulk payments instead of invoice ones.")
]


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
    """A bulk payment as a field table and an items table."""
    head = detail_table(
        [
            ("Number", payment.number),
            ("Date", payment.date),
            ("Comment", payment.comment),
            ("AccountId", payment.account_id),
            ("Method", payment.method),
            ("Reconciled", payment.reconciled),
        ],
        title,
    )
    items = Table(header_style="bold")
    for name in ("Id", "ObjectNumber", "Contact", "Amount"):
        items.add_column(name, justify="left" if name == "Contact" else "right")
    total = Decimal(0)
    for item in payment.payment_items or []:
        total += item.amount or 0
        items.add_row(
            cell(item.id),
            cell(item.object_number),
            Text(cell(item.contact_name)),
            cell(item.amount),
        )
    items.add_row("", "", Text("Total", style="bold"), Text(cell(total), style="bold"))
    return Group(head, items)


def _write(payment: BulkPayment, fmt: OutputFormat, title: str) -> None:
    if fmt is OutputFormat.table:
        stdout().print(payment_view(payment, title))
    else:
        sys.stdout.write(encode_json(payment) + "\n")


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
        async with settings_of(ctx).client() as kf:
            payment = await _resource(kf, purchases).get(number)
        _write(payment, chosen, f"Bulk payment {payment.number}")

    run(ctx, body)


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
    payment_items = [parse_item(text) for text in items]
    chosen = pick_format(fmt)
    day = (date or dt.datetime.now()).date()
    payment = BulkPayment(
        date=day,
        comment=comment,
        account_id=account_id,
        method=method,
        payment_items=payment_items,
    )

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            created = await _resource(kf, purchases).create(payment)
        _write(created, chosen, f"Created bulk payment {created.number}")

    run(ctx, body)


@payments_app.command("delete")
def delete_payment(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(min=1, help="Bulk payment number.")],
    purchases: Purchases = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a bulk payment (its payments are removed from the invoices)."""
    if not yes and sys.stdin.isatty():
        typer.confirm(f"Delete bulk payment {number}?", abort=True)

    async def body() -> None:
        async with settings_of(ctx).client() as kf:
            await _resource(kf, purchases).delete(number)
        stderr().print(f"Deleted bulk payment {number}.", highlight=False)

    run(ctx, body)
