"""Deterministic, realistic benchmark documents (the same seed always gives the same bytes)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from kashflow_async.codecs import get_codec
from kashflow_async.models import (
    Address,
    Currency,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Page,
    PageMeta,
    PaymentLine,
    ReminderLetter,
)

__all__ = ["Documents", "documents", "full_invoice", "list_page", "typical_invoice"]

_CENT = Decimal("0.01")
_FOUR = Decimal("0.0001")
_NAMES = (
    "Patel Bakery",
    "Hughes Garage",
    "Morgan Studio",
    "Clarke Consulting",
    "Ward Builders",
    "Khan Florist",
    "Evans Cafe",
    "Shah Lettings",
)
_STREETS = ("Tooley Street", "High Street", "Station Road", "Church Lane", "Park Avenue")
_TOWNS = (("London", "SE1"), ("Leeds", "LS1"), ("Bristol", "BS1"), ("Croydon", "CR0"))
_PRODUCTS = (
    ("510", "Mobile", 4000, Decimal("10.00")),
    ("520", "Consultancy (hour)", 4010, Decimal("85.00")),
    ("530", "Website hosting (month)", 4020, Decimal("24.99")),
    ("540", "Installation", 4030, Decimal("150.00")),
    ("550", "Support contract", 4040, Decimal("420.00")),
    ("560", "Printer paper (box)", 4050, Decimal("18.45")),
    ("570", "Training day", 4060, Decimal("675.00")),
)
_VAT = (Decimal(20), Decimal(20), Decimal(5), Decimal(0))
_GBP = Currency(
    id=0,
    code="GBP",
    name="British Pounds",
    symbol="£",
    exchange_rate=Decimal("1.0000"),
    display_symbol_on_right=False,
)
_BASE_DAY = dt.datetime(2024, 1, 8, 12, 0, 0)


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT).quantize(_FOUR)


def _address(rng: random.Random) -> Address:
    town, area = rng.choice(_TOWNS)
    return Address(
        line1=f"{rng.randint(1, 240)} {rng.choice(_STREETS)}",
        line2=town,
        post_code=f"{area} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('PQRTUW')}",
        country_code="GB",
        country_name="United Kingdom",
    )


def _line(rng: random.Random, number: int) -> InvoiceLine:
    code, name, nominal, rate = rng.choice(_PRODUCTS)
    quantity = Decimal(rng.randint(1, 12))
    vat_level = rng.choice(_VAT)
    vat = _money(quantity * rate * vat_level / 100)
    return InvoiceLine(
        number=number,
        quantity=quantity.quantize(_FOUR),
        description=f"{name} - ref {rng.randint(1000, 9999)}",
        rate=rate.quantize(_FOUR),
        home_currency_rate=rate.quantize(_FOUR),
        vat_level=vat_level.quantize(_FOUR),
        vat_amount=vat,
        home_currency_vat_amount=vat,
        vat_exempt=False,
        nominal_code=nominal,
        product_code=code,
        product_name=name,
        tax1_amount=Decimal("0.0000"),
        tax2_amount=Decimal("0.0000"),
        apply_tax1=False,
        apply_tax2=False,
        project_number=rng.randint(0, 5),
    )


def _invoice(rng: random.Random, number: int, lines: int | None) -> Invoice:
    """One invoice; `lines` None gives a list summary (no line items or payments)."""
    issued = _BASE_DAY + dt.timedelta(days=number // 3)
    due = issued + dt.timedelta(days=30)
    line_items = [_line(rng, i + 1) for i in range(lines if lines is not None else 3)]
    net = Decimal(0)
    vat = Decimal(0)
    for ln in line_items:
        net += (ln.quantity or 0) * (ln.rate or 0)
        vat += ln.vat_amount or 0
    gross = _money(net + vat)
    paid = rng.random() < 0.6
    paid_date = issued + dt.timedelta(days=rng.randint(3, 40)) if paid else None
    customer = rng.randrange(len(_NAMES))
    inv = Invoice(
        id=200_000 + number,
        number=number,
        customer_id=100_000 + customer,
        customer_code=_NAMES[customer][:4].upper() + "01",
        customer_name=_NAMES[customer],
        customer_reference=f"PO-{rng.randint(10000, 99999)}",
        issued_date=issued,
        due_date=due,
        paid_date=paid_date,
        last_payment_date=paid_date,
        net_amount=_money(net),
        vat_amount=_money(vat),
        gross_amount=gross,
        home_currency_gross_amount=gross,
        total_paid_amount=gross if paid else Decimal("0.0000"),
        currency=_GBP,
        address=_address(rng),
        use_custom_delivery_address=False,
        status=InvoiceStatus.PAID if paid else InvoiceStatus.UNPAID,
        overdue_days=0,
        suppress_number=False,
        email_count=rng.randint(0, 3),
        automatic_credit_control_enabled=False,
    )
    if lines is not None:
        inv.line_items = line_items
        half = _money(gross / 2)
        inv.payment_lines = (
            [
                PaymentLine(
                    id=number * 10 + k,
                    invoice_number=number,
                    date=paid_date,
                    note="Payment received",
                    method=2508,
                    amount=half if k == 0 else gross - half,
                    account_id=3942,
                    permalink=f"/v2/documents/invoice/payment/{number:08d}-{k:04d}",
                )
                for k in range(2)
            ]
            if paid
            else []
        )
        inv.reminder_letters = [] if paid else [ReminderLetter(number=1, is_sent=False)]
        inv.next_number = number + 1
        inv.permalink = f"/v2/documents/invoice/{number:08d}-0000-4000-8000-000000000000"
    # normalise the plain datetimes into the wire types, as a decoded value would hold
    return get_codec("json").decode(get_codec("json").encode(inv), Invoice)


def list_page(count: int = 100, seed: int = 6) -> Page[Invoice]:
    """A list page of `count` invoice summaries, as ``GET /invoices`` answers it."""
    rng = random.Random(seed)
    base = "http://127.0.0.1/v2/invoices?perpage=100&sortby=Number&order=Asc"
    return Page[Invoice](
        data=[_invoice(rng, n, None) for n in range(1, count + 1)],
        meta=PageMeta(
            first_page_url=base + "&page=1",
            last_page_url=base + "&page=100",
            next_page_url=base + "&page=2",
            total_records=count * 100,
        ),
    )


def full_invoice(lines: int = 50, seed: int = 6) -> Invoice:
    """One full invoice with `lines` line items, payment lines and links."""
    return _invoice(random.Random(seed), 4242, lines)


#: the line fields a typical invoice fills in
_TYPICAL_LINE = (
    "number",
    "quantity",
    "description",
    "rate",
    "vat_level",
    "vat_amount",
    "nominal_code",
    "product_code",
)


def typical_invoice(lines: int = 10, seed: int = 11) -> Invoice:
    """An invoice as ``GET /invoices/{number}`` answers it for everyday work: `lines` lines
    with the usual fields, no payments yet (10 lines: about 2.5 KB JSON, 4 KB XML)."""
    inv = full_invoice(lines, seed)
    inv.line_items = [
        InvoiceLine(**{name: getattr(line, name) for name in _TYPICAL_LINE})
        for line in inv.line_items or []
    ]
    inv.payment_lines = None
    inv.reminder_letters = None
    return inv


class Documents:
    """The benchmark documents: model values and their JSON and XML bytes."""

    def __init__(self, page_size: int = 100, lines: int = 50) -> None:
        self.page = list_page(page_size)
        self.invoice = full_invoice(lines)
        js, xml = get_codec("json"), get_codec("xml")
        self.page_json = js.encode(self.page)
        self.page_xml = xml.encode(self.page)
        self.invoice_json = js.encode(self.invoice)
        self.invoice_xml = xml.encode(self.invoice)


def documents(page_size: int = 100, lines: int = 50) -> Documents:
    """The documents for a page of `page_size` invoices and an invoice of `lines` lines."""
    return Documents(page_size, lines)
