"""``kashflow credits``: the credits a customer holds, and applying them to an invoice.

The API addresses credits by invoice **Id**; these commands take the invoice *number*
(what users see) and look the Id up, unless ``--id`` says the argument is the Id.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from ...client import KashFlowClient
from ...models import Credit, CreditType, Invoice
from ..console import spinner
from ..errors import fail
from ..formats.columns import CREDIT_COLUMNS, cell, row_of
from ..formats.writers import detail_table, pick_format, records_table, write_one
from ..options import CommandGroup, flag
from ..settings import run_command, settings_of
from .documents import Format

__all__ = ["credits_app", "credits_table", "parse_credit"]

credits_app = typer.Typer(
    cls=CommandGroup, help="Customer credits on an invoice.", no_args_is_help=True
)

ById = Annotated[bool, flag("--id", help="INVOICE is the invoice Id, not its number.")]


async def _invoice(kf: KashFlowClient, invoice: int, by_id: bool) -> tuple[int, Invoice | None]:
    if by_id:
        return invoice, None
    found = await kf.invoices.get(invoice)
    assert found.id is not None
    return found.id, found


def credits_table(credits: list[Credit], title: str) -> Table:
    """The credits as a table."""
    return records_table(CREDIT_COLUMNS, credits, title=title)


def pick_credits(available: list[Credit], due: Decimal) -> list[Credit]:
    """Credits to apply, oldest first, adding up to at most `due`."""
    chosen: list[Credit] = []
    for c in available:
        if due <= 0:
            break
        amount = min(c.amount or Decimal(0), due)
        if amount > 0:
            chosen.append(Credit(type=c.type, id=c.id, amount=amount))
            due -= amount
    return chosen


def parse_credit(text: str) -> Credit:
    """``TYPE:ID`` or ``TYPE:ID:AMOUNT`` (``CreditNote:123:25.00``)."""
    parts = text.split(":")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        kind = next(t for t in CreditType if t.value.lower() == parts[0].strip().lower())
        amount = Decimal(parts[2]) if len(parts) == 3 else None
        if amount is not None and not amount.is_finite():
            raise ValueError
        return Credit(type=kind, id=int(parts[1]), amount=amount)
    except (ValueError, StopIteration, InvalidOperation):
        types = ", ".join(t.value for t in CreditType)
        raise typer.BadParameter(
            f"{text!r} is not TYPE:ID[:AMOUNT] with TYPE one of {types}"
        ) from None


@credits_app.command("list")
def list_credits(
    ctx: typer.Context,
    invoice: Annotated[int, typer.Argument(min=1, help="Invoice number (or Id with --id).")],
    by_id: ById = False,
    fmt: Format = None,
) -> None:
    """List the credits the invoice's customer holds."""
    chosen = pick_format(fmt)

    async def body() -> None:
        async with settings_of(ctx).client() as kf, spinner("Getting the credits"):
            invoice_id, _ = await _invoice(kf, invoice, by_id)
            credits = await kf.invoices.credits(invoice_id)
        write_one(
            credits,
            chosen,
            table=credits_table(credits, f"Credits for invoice {invoice}"),
            csv_header=[c.name for c in CREDIT_COLUMNS],
            csv_rows=(row_of(CREDIT_COLUMNS, c) for c in credits),
        )

    run_command(ctx, body)


@credits_app.command("apply")
def apply_credits(
    ctx: typer.Context,
    invoice: Annotated[int, typer.Argument(min=1, help="Invoice number (or Id with --id).")],
    credit: Annotated[
        list[str] | None,
        typer.Option(
            "--credit",
            help="TYPE:ID[:AMOUNT] of a credit to apply (repeatable; no AMOUNT: all of it).",
        ),
    ] = None,
    all_credits: Annotated[
        bool, flag("--all", help="Apply every credit, oldest first, up to the amount due.")
    ] = False,
    by_id: ById = False,
    fmt: Format = None,
) -> None:
    """Apply credits to an invoice; shows the invoice afterwards."""
    if bool(credit) == all_credits:
        raise typer.BadParameter("give --credit (one or more) or --all")
    if all_credits and by_id:
        raise typer.BadParameter("--all needs the invoice number, not --id")
    chosen = pick_format(fmt)
    wanted = [parse_credit(text) for text in credit or []]

    async def body() -> None:
        async with settings_of(ctx).client() as kf, spinner("Applying credits"):
            invoice_id, found = await _invoice(kf, invoice, by_id)
            chosen_credits = wanted
            if all_credits:
                assert found is not None
                available = await kf.invoices.credits(invoice_id)
                chosen_credits = pick_credits(available, found.amount_due or Decimal(0))
                if not chosen_credits:
                    fail(f"nothing to apply to invoice {invoice}: no credits, or nothing is due")
            updated = await kf.invoices.apply_credits(invoice_id, chosen_credits)
        pairs = [
            ("Number", updated.number),
            ("Customer", updated.customer_code),
            ("GrossAmount", updated.gross_amount),
            ("TotalPaidAmount", updated.total_paid_amount),
            ("AmountDue", updated.amount_due),
            ("Status", updated.status),
        ]
        title = f"Applied {len(chosen_credits)} credit(s) to invoice {updated.number}"
        write_one(
            updated,
            chosen,
            table=detail_table(pairs, title),
            csv_header=[name for name, _ in pairs],
            csv_rows=[[cell(value) for _, value in pairs]],
        )

    run_command(ctx, body)
