"""``kashflow demo``: a realistic day against an in-process sandbox, in a few seconds.

Each step is one function that prints what it does and returns its summary line.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...client import KashFlowClient
from ...errors import BadRequestError
from ...models import (
    BulkPayment,
    BulkPaymentItem,
    Credit,
    Customer,
    Invoice,
    InvoiceFilter,
    InvoiceLine,
    Quote,
    QuoteLine,
    SortOrder,
)
from ...sandbox import (
    DEFAULT_BANK_ACCOUNT_ID,
    DEFAULT_PAYMENT_METHOD_ID,
    SEED_CUSTOMER_CODES,
    Sandbox,
)
from ..console import progress_bar, stdout
from ..options import flag
from ..settings import run_command, settings_of
from .credits import credits_table
from .payments import payment_view

__all__ = ["demo"]

CUSTOMER = SEED_CUSTOMER_CODES[0]
#: The demo's day (fixed, so the demo shows the same figures every time).
DAY = dt.date(2024, 6, 14)
ZERO = Decimal(0)
#: The lines of the three quotes the day starts with.
QUOTE_LINES = (
    (("Website redesign", 1, "1200.00"), ("Hosting (month)", 12, "24.99")),
    (("Training day", 2, "675.00"),),
    (("Support contract", 1, "420.00"), ("Installation", 1, "150.00")),
)


def money(value: Decimal | None) -> str:
    """``£1,234.50`` (exact: Decimal formatting, never float)."""
    return f"£{(value or ZERO):,.2f}"


def _status(inv: Invoice) -> str:
    return str(inv.status) if inv.status else "?"


@dataclass
class Day:
    """The demo's walk: the client, where it prints, and the summary so far."""

    kf: KashFlowClient
    console: Console
    summary: list[tuple[str, str]] = field(default_factory=list)

    def step(self, title: str) -> None:
        self.console.rule(f"[bold]{title}")

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False)

    async def quotes(self) -> list[Quote]:
        """1. Three quotes for one customer, numbered after the last one."""
        self.step(f"1. Quotes for {CUSTOMER}")
        last = await self.kf.quotes.page(1, perpage=1, sortby="Number", order=SortOrder.DESC)
        first = (last.data[0].number or 0) + 1 if last.data else 1
        quotes = []
        for i, lines in enumerate(QUOTE_LINES):
            items = [
                QuoteLine(description=d, quantity=Decimal(q), rate=Decimal(r)) for d, q, r in lines
            ]
            quote = Quote(
                number=first + i,
                customer_code=CUSTOMER,
                customer_reference=f"Spring project, part {i + 1}",
                line_items=items,
            )
            quotes.append(await self.kf.quotes.create(quote))
        table = Table(header_style="bold")
        for name in ("Quote", "Reference", "Net", "VAT", "Gross"):
            table.add_column(name, justify="left" if name == "Reference" else "right")
        for q in quotes:
            table.add_row(
                str(q.number), Text(q.customer_reference or ""), money(q.net_amount),
                money(q.vat_amount), money(q.gross_amount),
            )  # fmt: skip
        self.console.print(table)
        self.summary.append(("Quotes created", f"{len(quotes)} for {CUSTOMER}"))
        return quotes

    async def convert(self, quotes: list[Quote]) -> list[Invoice]:
        """2. Convert them: a typo refuses the lot (all or nothing), then it works."""
        self.step("2. Convert the quotes to invoices")
        numbers = [q.number or 0 for q in quotes]
        typo = max(numbers) + 9000
        self.say(f"Converting {[*numbers, typo]} (the last one is a typo) ...")
        try:
            await self.kf.invoices.convert_quotes([*numbers, typo], retain=False)
        except BadRequestError as exc:
            self.say(
                f"  refused: HTTP {exc.status}: {exc.message}. Nothing was converted (all or "
                f"nothing); invalid_numbers={exc.invalid_numbers}"
            )
        still_there = [(await self.kf.quotes.get(n)).number for n in numbers]
        self.say(f"  the quotes are all still there: {still_there}")
        self.say(f"Converting {numbers} ...")
        conversions = await self.kf.invoices.convert_quotes(numbers, retain=False)
        table = Table(header_style="bold")
        table.add_column("Quote", justify="right")
        table.add_column("Invoice", justify="right")
        for c in conversions:
            table.add_row(str(c.quote_number), str(c.invoice_number))
        self.console.print(table)
        self.summary.append(("Quotes converted", f"{len(conversions)} (after one refused: {typo})"))
        return [await self.kf.invoices.get(c.invoice_number or 0) for c in conversions]

    async def pay(self, invoices: list[Invoice]) -> None:
        """3. One bulk payment settles two invoices in full."""
        self.step("3. One bulk payment for two invoices")
        items = [BulkPaymentItem(object_number=i.number, amount=i.amount_due) for i in invoices]
        payment = await self.kf.invoices.bulk_payments.create(
            BulkPayment(
                date=DAY,
                comment="BACS from John Smith",
                account_id=DEFAULT_BANK_ACCOUNT_ID,
                method=DEFAULT_PAYMENT_METHOD_ID,
                payment_items=items,
            )
        )
        full = await self.kf.invoices.bulk_payments.get(payment.number or 0)
        self.console.print(payment_view(full, f"Bulk payment {full.number}"))
        after = [await self.kf.invoices.get(i.number or 0) for i in invoices]
        self.say("  invoice status now: " + ", ".join(f"{i.number} {_status(i)}" for i in after))
        paid = sum((item.amount or ZERO for item in full.payment_items or []), ZERO)
        self.summary.append(
            ("Bulk payment", f"#{full.number}: {money(paid)} over {len(invoices)} invoices")
        )

    async def credit(self, target: Invoice) -> None:
        """4. The customer's largest credit, applied up to the amount due."""
        self.step(f"4. {CUSTOMER}'s credits, applied to invoice {target.number}")
        credits = await self.kf.invoices.credits(target.id or 0)
        self.console.print(credits_table(credits, f"Credits {CUSTOMER} holds"))
        if not credits:
            self.summary.append(("Credit applied", "none held"))
            return
        pick = max(credits, key=lambda c: c.amount or ZERO)
        amount = min(pick.amount or ZERO, target.amount_due or ZERO)
        updated = await self.kf.invoices.apply_credits(
            target.id or 0, [Credit(type=pick.type, id=pick.id, amount=amount)]
        )
        kind = str(pick.type) if pick.type else "credit"
        self.say(
            f"  applied {money(amount)} of {kind} {pick.id}: invoice {updated.number} now owes "
            f"{money(updated.amount_due)} of {money(updated.gross_amount)} ({_status(updated)})"
        )
        self.summary.append(
            ("Credit applied", f"{money(amount)} ({kind}) to invoice {updated.number}")
        )

    async def overdue(self) -> None:
        """5. Every overdue invoice (the client pages), totalled by customer."""
        self.step("5. Overdue invoices, page by page")
        owed: defaultdict[str, Decimal] = defaultdict(Decimal)
        count: defaultdict[str, int] = defaultdict(int)
        invoices = self.kf.invoices.list(status=InvoiceFilter.OVERDUE, perpage=25, concurrency=4)
        with progress_bar(self.console) as progress:
            task = progress.add_task("Fetching overdue invoices")
            async for inv in invoices:
                name = inv.customer_name or inv.customer_code or "?"
                owed[name] += inv.amount_due or ZERO
                count[name] += 1
                progress.update(task, total=invoices.total_records, advance=1)
        table = Table(title="Most overdue customers", title_justify="left", header_style="bold")
        table.add_column("Customer")
        table.add_column("Invoices", justify="right")
        table.add_column("Owed", justify="right")
        for name in sorted(owed, key=owed.__getitem__, reverse=True)[:5]:
            table.add_row(Text(name), str(count[name]), money(owed[name]))
        self.console.print(table)
        total = sum(owed.values(), ZERO)
        self.summary.append(("Overdue invoices", f"{sum(count.values())}, {money(total)} owed"))

    async def new_customer(self) -> None:
        """6. A new customer, invoiced at once; its balance is what it owes."""
        self.step("6. A new customer, invoiced")
        customer = await self.kf.customers.create(
            Customer(code="GREEN01", name="Green Leaf Cafe", email="accounts@greenleaf.example")
        )
        self.say(f"Created customer {customer.code} ({customer.name})")
        invoice = await self.kf.invoices.create(
            Invoice(
                customer_code=customer.code,
                customer_reference="Opening order",
                line_items=[
                    InvoiceLine(description="Coffee machine service", quantity=Decimal(1),
                                rate=Decimal("180.00")),
                    InvoiceLine(description="Descaling kit", quantity=Decimal(3),
                                rate=Decimal("12.50")),
                ],
            )
        )  # fmt: skip
        self.say(
            f"  invoice {invoice.number}: {money(invoice.gross_amount)} "
            f"(net {money(invoice.net_amount)} + VAT {money(invoice.vat_amount)})"
        )
        after = await self.kf.customers.get(customer.code or "")
        self.say(
            f"  {after.code} now has {after.invoice_count} invoice, balance "
            f"{money(after.outstanding_balance)}"
        )
        self.summary.append(
            ("New customer", f"{after.code}: owes {money(after.outstanding_balance)}")
        )

    async def walk(self) -> None:
        """The whole day, step by step."""
        invoices = await self.convert(await self.quotes())
        await self.pay(invoices[:2])
        await self.credit(invoices[2])
        await self.overdue()
        await self.new_customer()


def demo(
    ctx: typer.Context, xml: Annotated[bool, flag("--xml", help="Speak XML on the wire.")] = False
) -> None:
    """Walk a realistic day against a local sandbox: quotes, conversion, a bulk
    payment, credits, overdue invoices and a new customer. Needs no account."""
    wire = "xml" if xml or settings_of(ctx).xml else "json"
    console = stdout()

    async def body() -> None:
        started = time.perf_counter()
        console.print(
            f"[bold]kashflow demo[/]: a day at a small business, against a local sandbox "
            f"(wire format: {wire.upper()})"
        )
        async with Sandbox(seed=0, invoices=400, quotes=40, customers=30, today=DAY) as sb:
            console.print(f"Sandbox running at {sb.url}", highlight=False)
            async with KashFlowClient(token=sb.token, base_url=sb.url, wire_format=wire) as kf:
                day = Day(kf, console)
                await day.walk()
            requests = sb.stats.total
        console.rule("[bold]Summary")
        table = Table(show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column()
        for name, value in day.summary:
            table.add_row(name, Text(value))
        table.add_row("Requests", f"{requests} ({wire.upper()})")
        table.add_row("Time", f"{time.perf_counter() - started:.2f} s")
        console.print(table)
        console.print("Done. Next: kashflow sandbox --port 8080")

    run_command(ctx, body)
