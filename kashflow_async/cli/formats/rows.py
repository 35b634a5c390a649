"""Invoices and quotes as CSV rows, written and read back.

One row per line item (a record without lines has one row with empty line columns);
the record's own columns repeat on each of its rows. Reading groups consecutive rows
with the same ``Number`` into one record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from ...models import Currency, Invoice, InvoiceLine, Quote, QuoteLine, parse_date
from .columns import INVOICE_COLUMNS, LINE_COLUMNS, QUOTE_COLUMNS, Column, cell, row_of

__all__ = [
    "INVOICE_CSV_COLUMNS",
    "QUOTE_CSV_COLUMNS",
    "Row",
    "RowError",
    "invoice_rows",
    "invoices_from_rows",
    "quote_rows",
    "quotes_from_rows",
]

R = TypeVar("R")
M = TypeVar("M")

#: A CSV row as read: its line number in the file and its cells by column name.
Row = tuple[int, dict[str, str]]

#: Header of an invoice export CSV.
INVOICE_CSV_COLUMNS = [c.name for c in INVOICE_COLUMNS] + [c.name for c in LINE_COLUMNS]
#: Header of a quote export CSV.
QUOTE_CSV_COLUMNS = [c.name for c in QUOTE_COLUMNS] + [c.name for c in LINE_COLUMNS]


def _rows(columns: Sequence[Column[R]], record: R, lines: Sequence[Any] | None) -> list[list[str]]:
    head = row_of(columns, record)
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


def _groups(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Consecutive rows with the same non-empty ``Number``; a row without one is alone."""
    group: list[Row] = []
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


def _records(
    rows: Iterable[Row], build: Callable[[list[Row]], M]
) -> Iterator[tuple[int, str, M | RowError]]:
    """For each record of `rows`: its first line, a text identifying its rows, and the
    record `build` makes of them or the reason it is invalid."""
    for group in _groups(rows):
        identity = "\x1e".join("\x1f".join(f"{k}={v}" for k, v in r.items()) for _, r in group)
        try:
            yield group[0][0], identity, build(group)
        except RowError as exc:
            yield group[0][0], identity, exc


def _invoice_line(row: dict[str, str]) -> InvoiceLine | None:
    fields = _line_fields(row)
    if fields is None:
        return None
    project = _int(row, "LineProjectNumber")
    if project:
        fields["project_number"] = project
    return InvoiceLine(**fields)


def _invoice(group: list[Row]) -> Invoice:
    first = group[0][1]
    return Invoice(
        number=_int(first, "Number"),
        customer_code=_text(first, "CustomerCode"),
        customer_reference=_text(first, "CustomerReference"),
        issued_date=_date(first, "IssuedDate"),
        due_date=_date(first, "DueDate"),
        currency=_currency(first),
        line_items=[line for _, row in group if (line := _invoice_line(row)) is not None],
    )


def _quote(group: list[Row]) -> Quote:
    first = group[0][1]
    return Quote(
        number=_int(first, "Number"),
        customer_code=_text(first, "CustomerCode"),
        customer_reference=_text(first, "CustomerReference"),
        date=_date(first, "Date"),
        currency=_currency(first),
        line_items=[QuoteLine(**f) for _, row in group if (f := _line_fields(row)) is not None],
    )


def invoices_from_rows(rows: Iterable[Row]) -> Iterator[tuple[int, str, Invoice | RowError]]:
    """Invoices from CSV rows (see `_records`)."""
    return _records(rows, _invoice)


def quotes_from_rows(rows: Iterable[Row]) -> Iterator[tuple[int, str, Quote | RowError]]:
    """Quotes from CSV rows (see `_records`)."""
    return _records(rows, _quote)
