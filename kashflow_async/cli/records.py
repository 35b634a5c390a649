"""Invoices and quotes as rows: table and CSV columns, and CSV rows read back.

The CSV of an export has one row per line item (a record without lines has one row
with empty line columns); the record's own columns repeat on each of its rows. Money,
rates and quantities are written exactly as the server sent them (``Decimal`` text),
dates as ``YYYY-MM-DD HH:MM:SS``. Reading groups consecutive rows with the same
``Number`` into one record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Generic, TypeVar

from ..models import Currency, Invoice, InvoiceLine, Quote, QuoteLine, format_date, parse_date

__all__ = [
    "INVOICE_COLUMNS",
    "INVOICE_CSV_COLUMNS",
    "INVOICE_TABLE",
    "LINE_COLUMNS",
    "LINE_TABLE",
    "QUOTE_COLUMNS",
    "QUOTE_CSV_COLUMNS",
    "QUOTE_TABLE",
    "Column",
    "RowError",
    "cell",
    "invoice_rows",
    "invoices_from_rows",
    "quote_rows",
    "quotes_from_rows",
    "summary_row",
]

R = TypeVar("R")


def cell(value: Any) -> str:
    """The text of one value: Decimals exactly, dates in the API's form, None empty."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


class Column(Generic[R]):
    """A named column and how to read it from a record."""

    __slots__ = ("get", "name", "numeric")

    def __init__(self, name: str, get: Callable[[R], Any], numeric: bool = False) -> None:
        self.name = name
        self.get = get
        self.numeric = numeric


def _code(currency: Currency | None) -> str | None:
    return currency.code if currency is not None else None


#: Columns of an invoice (summary) row: list output and the first part of the CSV.
INVOICE_COLUMNS: list[Column[Invoice]] = [
    Column("Number", lambda i: i.number, True),
    Column("CustomerCode", lambda i: i.customer_code),
    Column("CustomerName", lambda i: i.customer_name),
    Column("CustomerReference", lambda i: i.customer_reference),
    Column("IssuedDate", lambda i: i.issued_date),
    Column("DueDate", lambda i: i.due_date),
    Column("Status", lambda i: i.status),
    Column("Currency", lambda i: _code(i.currency)),
    Column("NetAmount", lambda i: i.net_amount, True),
    Column("VATAmount", lambda i: i.vat_amount, True),
    Column("GrossAmount", lambda i: i.gross_amount, True),
    Column("TotalPaidAmount", lambda i: i.total_paid_amount, True),
]

#: Columns of a quote row.
QUOTE_COLUMNS: list[Column[Quote]] = [
    Column("Number", lambda q: q.number, True),
    Column("CustomerCode", lambda q: q.customer_code),
    Column("CustomerName", lambda q: q.customer_name),
    Column("CustomerReference", lambda q: q.customer_reference),
    Column("Date", lambda q: q.date),
    Column("Category", lambda q: q.category.name if q.category else None),
    Column("Currency", lambda q: _code(q.currency)),
    Column("NetAmount", lambda q: q.net_amount, True),
    Column("VATAmount", lambda q: q.vat_amount, True),
    Column("GrossAmount", lambda q: q.gross_amount, True),
]

#: Columns of one line item (the second part of an export CSV row).
LINE_COLUMNS: list[Column[Any]] = [
    Column("LineNumber", lambda x: x.number, True),
    Column("LineDescription", lambda x: x.description),
    Column("LineQuantity", lambda x: x.quantity, True),
    Column("LineRate", lambda x: x.rate, True),
    Column("LineVATLevel", lambda x: x.vat_level, True),
    Column("LineVATAmount", lambda x: x.vat_amount, True),
    Column("LineNominalCode", lambda x: x.nominal_code, True),
    Column("LineProductCode", lambda x: x.product_code),
    Column("LineProjectNumber", lambda x: getattr(x, "project_number", None), True),
]


def _day(value: dt.date | None) -> str | None:
    return format_date(value)[:10] if value is not None else None


#: Columns of the invoice table (narrower than the CSV: fits a terminal).
INVOICE_TABLE: list[Column[Invoice]] = [
    Column("Number", lambda i: i.number, True),
    Column("Customer", lambda i: i.customer_code),
    Column("Reference", lambda i: i.customer_reference),
    Column("Issued", lambda i: _day(i.issued_date)),
    Column("Due", lambda i: _day(i.due_date)),
    Column("Status", lambda i: i.status),
    Column("Gross", lambda i: i.gross_amount, True),
    Column("Paid", lambda i: i.total_paid_amount, True),
]

#: Columns of the quote table.
QUOTE_TABLE: list[Column[Quote]] = [
    Column("Number", lambda q: q.number, True),
    Column("Customer", lambda q: q.customer_code),
    Column("Reference", lambda q: q.customer_reference),
    Column("Date", lambda q: _day(q.date)),
    Column("Category", lambda q: q.category.name if q.category else None),
    Column("Net", lambda q: q.net_amount, True),
    Column("Gross", lambda q: q.gross_amount, True),
]

#: Columns of the line items table.
LINE_TABLE: list[Column[Any]] = [
    Column("#", lambda x: x.number, True),
    Column("Description", lambda x: x.description),
    Column("Qty", lambda x: x.quantity, True),
    Column("Rate", lambda x: x.rate, True),
    Column("VAT %", lambda x: x.vat_level, True),
    Column("VAT", lambda x: x.vat_amount, True),
    Column("Product", lambda x: x.product_code),
]

#: Header of an invoice export CSV.
INVOICE_CSV_COLUMNS = [c.name for c in INVOICE_COLUMNS] + [c.name for c in LINE_COLUMNS]
#: Header of a quote export CSV.
QUOTE_CSV_COLUMNS = [c.name for c in QUOTE_COLUMNS] + [c.name for c in LINE_COLUMNS]


def summary_row(columns: Sequence[Column[R]], record: R) -> list[str]:
    """The record's cells for `columns`."""
    return [cell(c.get(record)) for c in columns]


def _rows(columns: Sequence[Column[R]], record: R, lines: Sequence[Any] | None) -> list[list[str]]:
    head = summary_row(columns, record)
    if not lines:
        return [head + [""] * len(LINE_COLUMNS)]
    return [head + [cell(c.get(line)) for c in LINE_COLUMNS] for line in lines]


def invoice_rows(invoice: Invoice) -> list[list[str]]:
    """The CSV rows of an invoice: one per line item."""
    return _rows(INVOICE_COLUMNS, invoice, invoice.line_items)


def quote_rows(quote: Quote) -> list[list[str]]:
    """The CSV rows of a quote: one per line item."""
    return _rows(QUOTE_COLUMNS, quote, quote.line_items)


# ---------------------------------------------------------------------------- reading


class RowError(ValueError):
    """A CSV row that does not make a record (the message names the column)."""


def _text(row: dict[str, str], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def _decimal(row: dict[str, str], name: str) -> Decimal | None:
    value = _text(row, name)
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{name}: not a number: {value!r}") from None
    if not number.is_finite():
        raise RowError(f"{name}: not a finite number: {value!r}")
    return number


def _int(row: dict[str, str], name: str) -> int | None:
    value = _text(row, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise RowError(f"{name}: not a whole number: {value!r}") from None


def _date(row: dict[str, str], name: str) -> dt.datetime | None:
    value = _text(row, name)
    if value is None:
        return None
    try:
        parsed = parse_date(value, False)
    except ValueError:
        raise RowError(f"{name}: not a date: {value!r}") from None
    assert isinstance(parsed, dt.datetime)
    return parsed


def _line_fields(row: dict[str, str]) -> dict[str, Any] | None:
    fields = {
        "description": _text(row, "LineDescription"),
        "quantity": _decimal(row, "LineQuantity"),
        "rate": _decimal(row, "LineRate"),
        "vat_level": _decimal(row, "LineVATLevel"),
        "nominal_code": _int(row, "LineNominalCode"),
        "product_code": _text(row, "LineProductCode"),
    }
    if all(v is None for v in fields.values()):
        return None
    return {k: v for k, v in fields.items() if v is not None}


def _currency(row: dict[str, str]) -> Currency | None:
    code = _text(row, "Currency")
    return Currency(code=code) if code else None


def _groups(
    rows: Iterable[tuple[int, dict[str, str]]],
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """Consecutive rows with the same non-empty ``Number``; a row without one is alone."""
    group: list[tuple[int, dict[str, str]]] = []
    key: str | None = None
    for line_no, row in rows:
        number = (row.get("Number") or "").strip()
        if group and number and number == key:
            group.append((line_no, row))
            continue
        if group:
            yield group
        group = [(line_no, row)]
        key = number or None
    if group:
        yield group


def invoices_from_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
) -> Iterator[tuple[int, str, Invoice | RowError]]:
    """Invoices from CSV rows (numbered by file line): for each record its first line
    number, a text identifying its rows, and the invoice or the reason it is invalid."""
    for group in _groups(rows):
        first_line, first = group[0]
        identity = "\x1e".join("\x1f".join(f"{k}={v}" for k, v in r.items()) for _, r in group)
        try:
            lines = []
            for _, row in group:
                fields = _line_fields(row)
                if fields is not None:
                    project = _int(row, "LineProjectNumber")
                    if project:
                        fields["project_number"] = project
                    lines.append(InvoiceLine(**fields))
            invoice = Invoice(
                number=_int(first, "Number"),
                customer_code=_text(first, "CustomerCode"),
                customer_reference=_text(first, "CustomerReference"),
                issued_date=_date(first, "IssuedDate"),
                due_date=_date(first, "DueDate"),
                currency=_currency(first),
                line_items=lines,
            )
        except RowError as exc:
            yield first_line, identity, exc
            continue
        yield first_line, identity, invoice


def quotes_from_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
) -> Iterator[tuple[int, str, Quote | RowError]]:
    """Quotes from CSV rows, like `invoices_from_rows`."""
    for group in _groups(rows):
        first_line, first = group[0]
        identity = "\x1e".join("\x1f".join(f"{k}={v}" for k, v in r.items()) for _, r in group)
        try:
            lines = [
                QuoteLine(**fields) for _, row in group if (fields := _line_fields(row)) is not None
            ]
            quote = Quote(
                number=_int(first, "Number"),
                customer_code=_text(first, "CustomerCode"),
                customer_reference=_text(first, "CustomerReference"),
                date=_date(first, "Date"),
                currency=_currency(first),
                line_items=lines,
            )
        except RowError as exc:
            yield first_line, identity, exc
            continue
        yield first_line, identity, quote
