"""``kashflow demo``: a realistic day against an in-process sandbox, in a few seconds."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from ...client import KashFlowClient
from ...errors import BadRequestError
from ...models import (
    BulkPayment,
    BulkPaymentItem,
    Credit,
    Invoice,
    InvoiceFilter,
    Quote,
    QuoteLine,
    SortOrder,
)
from ...sandbox import Sandbox
from ...sandbox.seed import BANK_ACCOUNTS, PAYMENT_METHODS
from ..app import run, settings_of, stdout
from .credits import credits_table
from .payments import payment_view

__all__ = ["demo"]

CUSTOMER = "TCUST01"
ZERO = Decimal(0)


def money(value: Decimal | None) -> str:
    """``£1,234.50`` (exact: Decimal formatting, never float)."""
    return f"£{(value or ZERO):,.2f}"


def _due(inv: Invoice) -> Decimal:
    return (inv.gross_amount or ZERO) - (inv.total_paid_amount or ZERO)


def _quote_lines() -> list[list[QuoteLine]]:
    return [
        [
            QuoteLine(description="Website redesign", quantity=Decimal(1), rate=Decimal("1200.00")),
            QuoteLine(description="Hosting (month)", quantity=Decimal(12), rate=Decimal("24.99")),
        ],
        [QuoteLine(description="Training day", quantity=Decimal(2), rate=Decimal("675.00"))],
        [
            QuoteLine(description="Support contract", quantity=Decimal(1), rate=Decimal("420.00")),
            QuoteLine(description="Installation", quantity=Decimal(1), rate=Decimal("150.00")),
        ],
    ]


async def _walk(console: Console, kf: KashFlowClient, sb: Sandbox) -> list[tuple[str, str]]:
    summary: list[tuple[str, str]] = []
    today = sb.state.today()

    # 1. quotes ------------------------------------------------------------------------
    console.rule(f"[bold]1. Quotes for {CUSTOMER}")
    last = await kf.quotes.page(1, perpage=1, sortby="Number", order=SortOrder.DESC)
    next_number = (last.data[0].number or 0) + 1 if last.data else 1
    quotes: list[Quote] = []
    for i, lines in enumerate(_quote_lines()):
        quote = await kf.quotes.create(
            Quote(
                number=next_number + i,
                customer_code=CUSTOMER,
                customer_reference=f"Spring project, part {i + 1}",
                line_items=lines,
            )
        )
        quotes.append(quote)
    table = Table(header_style="bold")
    for name in ("Quote", "Reference", "Net", "VAT", "Gross"):
        table.add_column(name, justify="left" if name == "Reference" else "right")
    for q in quotes:
        table.add_row(
            str(q.number),
            Text(q.customer_reference or ""),
            money(q.net_amount),
            money(q.vat_amount),
            money(q.gross_amount),
        )
    console.print(table)
    summary.append(("Quotes created", f"{len(quotes)} for {CUSTOMER}"))

    # 2. conversion, all or nothing ------------------------------------------------------
    console.rule("[bold]2. Convert the quotes to invoices")
    numbers = [q.number or 0 for q in quotes]
    typo = max(numbers) + 9000
    console.print(f"Converting {[*numbers, typo]} (the last one is a typo) ...", highlight=False)
    refused = ""
    try:
        await kf.invoices.convert_quotes([*numbers, typo], retain=False)
    except BadRequestError as exc:
        refused = ", ".join(str(n) for n in exc.invalid_numbers)
        console.print(
            Text.assemble(
                ("  refused: ", "bold red"),
                f"HTTP {exc.status}: {exc.message}. Nothing was converted (all or nothing); "
                f"invalid_numbers={exc.invalid_numbers}",
            )
        )
    still_there = [(await kf.quotes.get(n)).number for n in numbers]
    console.print(f"  the quotes are all still there: {still_there}", highlight=False)
    conversions = await kf.invoices.convert_quotes(numbers, retain=False)
    table = Table(header_style="bold")
    table.add_column("Quote", justify="right")
    table.add_column("Invoice", justify="right")
    for c in conversions:
        table.add_row(str(c.quote_number), str(c.invoice_number))
    console.print(f"Converting {numbers} ...", highlight=False)
    console.print(table)
    summary.append(
        ("Quotes converted", f"{len(conversions)} (after one refused attempt: {refused})")
    )

    # 3. one bulk payment for two of the invoices ---------------------------------------
    console.rule("[bold]3. One bulk payment for two invoices")
    invoices = [await kf.invoices.get(c.invoice_number or 0) for c in conversions]
    paid = invoices[:2]
    payment = await kf.invoices.bulk_payments.create(
        BulkPayment(
            date=today,
            comment="BACS from John Smith",
            account_id=BANK_ACCOUNTS[0][0],
            method=PAYMENT_METHODS[0][0],
            payment_items=[
                BulkPaymentItem(object_number=inv.number, amount=inv.gross_amount) for inv in paid
            ],
        )
    )
    full = await kf.invoices.bulk_payments.get(payment.number or 0)
    console.print(payment_view(full, f"Bulk payment {full.number}"))
    after = [await kf.invoices.get(inv.number or 0) for inv in paid]
    console.print(
        "  invoice status now: "
        + ", ".join(f"{inv.number} {inv.status.value if inv.status else '?'}" for inv in after),
        highlight=False,
    )
    total_paid = sum((item.amount or ZERO for item in full.payment_items or []), ZERO)
    summary.append(
        ("Bulk payment", f"#{full.number}: {money(total_paid)} over {len(paid)} invoices")
    )

    # 4. credits ----------------------------------------------------------------------------
    target = invoices[2]
    console.rule(f"[bold]4. {CUSTOMER}'s credits, applied to invoice {target.number}")
    credits = await kf.invoices.credits(target.id or 0)
    console.print(credits_table(credits, f"Credits {CUSTOMER} holds"))
    if credits:
        pick = max(credits, key=lambda c: c.amount or ZERO)
        amount = min(pick.amount or ZERO, _due(target))
        updated = await kf.invoices.apply_credits(
            target.id or 0, [Credit(type=pick.type, id=pick.id, amount=amount)]
        )
        kind = pick.type.value if pick.type else "credit"
        console.print(
            f"  applied {money(amount)} of {kind} {pick.id}: invoice {updated.number} "
            f"now owes {money(_due(updated))} of {money(updated.gross_amount)} "
            f"({updated.status.value if updated.status else '?'})",
            highlight=False,
        )
        summary.append(("Credit applied", f"{money(amount)} ({kind}) to invoice {updated.number}"))
    else:
        summary.append(("Credit applied", "none held"))

    # 5. overdue invoices, page by page ---------------------------------------------------
    console.rule("[bold]5. Overdue invoices, page by page")
    perpage = 25
    first = await kf.invoices.page(1, perpage=perpage, status=InvoiceFilter.OVERDUE)
    total = first.meta.total_records
    pages = max(1, -(-total // perpage))
    outstanding = ZERO
    by_customer: Counter[str] = Counter()
    owed: dict[str, Decimal] = {}
    with Progress(
        TextColumn("[bold]Fetching overdue pages"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("pages", total=pages)
        page = first
        for n in range(1, pages + 1):
            if n > 1:
                page = await kf.invoices.page(n, perpage=perpage, status=InvoiceFilter.OVERDUE)
            for inv in page.data:
                due = _due(inv)
                outstanding += due
                name = inv.customer_name or inv.customer_code or "?"
                by_customer[name] += 1
                owed[name] = owed.get(name, ZERO) + due
            progress.advance(task)
    table = Table(title="Most overdue customers", title_justify="left", header_style="bold")
    table.add_column("Customer")
    table.add_column("Invoices", justify="right")
    table.add_column("Owed", justify="right")
    for name in sorted(owed, key=lambda k: owed[k], reverse=True)[:5]:
        table.add_row(Text(name), str(by_customer[name]), money(owed[name]))
    console.print(table)
    summary.append(("Overdue invoices", f"{total} on {pages} pages, {money(outstanding)} owed"))
    return summary


def demo(
    ctx: typer.Context,
    xml: Annotated[bool, typer.Option("--xml", help="Speak XML on the wire.")] = False,
) -> None:
    """Walk a realistic day against a local sandbox: quotes, conversion, a bulk
    payment, credits and overdue invoices. Needs no account."""
    wire = "xml" if xml or settings_of(ctx).xml else "json"
    console = stdout()

    async def body() -> None:
        started = time.perf_counter()
        console.print(
            f"[bold]kashflow demo[/]: a day at a small business, against a local sandbox "
            f"(wire format: {wire.upper()})"
        )
        async with Sandbox(seed=0, invoices=400, quotes=40, customers=30) as sb:
            console.print(f"Sandbox running at {sb.url}", highlight=False)
            async with KashFlowClient(token=sb.token, base_url=sb.url, wire_format=wire) as kf:
                rows = await _walk(console, kf, sb)
            requests = sb.stats.total
        elapsed = time.perf_counter() - started
        console.rule("[bold]Summary")
        table = Table(show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column()
        for name, value in rows:
            table.add_row(name, Text(value))
        table.add_row("Requests", f"{requests} ({wire.upper()})")
        table.add_row("Time", f"{elapsed:.2f} s")
        console.print(table)
        console.print(f"Done on {dt.date.today():%Y-%m-%d}. Next: kashflow sandbox --port 8080")

    run(ctx, body)
