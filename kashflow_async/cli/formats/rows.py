"""Records as CSV rows, written and read back.

Invoices, quotes and purchases: one row per line item (a record without lines has one
row with empty line columns); the record's own columns repeat on each of its rows.
Reading groups consecutive rows with the same ``Number`` into one record. Customers,
suppliers and projects: one row each (`flat_rows`, `flat_from_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from ...models import (
    Currency,
    Invoice,
    InvoiceLine,
    Purchase,
    PurchaseLine,
    Quote,
    QuoteLine,
    parse_date,
)
from .columns import (
    INVOICE_COLUMNS,
    LINE_COLUMNS,
    PURCHASE_COLUMNS,
    QUOTE_COLUMNS,
    Column,
    cell,
    row_of,
)

__all__ = [
    "INVOICE_CSV_COLUMNS",
    "PURCHASE_CSV_COLUMNS",
    "QUOTE_CSV_COLUMNS",
    "Row",
    "RowError",
    "flat_from_rows",
    "flat_rows",
    "invoice_rows",
    "invoices_from_rows",
    "purchase_rows",
    "purchases_from_rows",
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
#: Header of a purchase export CSV.
PURCHASE_CSV_COLUMNS = [c.name for c in PURCHASE_COLUMNS] + [c.name for c in LINE_COLUMNS]


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


def purchase_rows(purchase: Purchase) -> list[list[str]]:
    """The CSV rows of a purchase: one per line item."""
    return _rows(PURCHASE_COLUMNS, purchase, purchase.line_items)


def flat_rows(columns: Sequence[Column[R]]) -> Callable[[R], list[list[str]]]:
    """The CSV row of a record without lines (customer, supplier, project)."""

    def rows(record: R) -> list[list[str]]:
        return [row_of(columns, record)]

    return rows


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


def _groups(rows: Iterable[Row], key_column: str = "Number") -> Iterator[list[Row]]:
    """Consecutive rows with the same non-empty ``Number``; a row without one is alone."""
    group: list[Row] = []
    key: str | None = None
    for line_no, row in rows:
        number = (row.get(key_column) or "").strip()
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
    rows: Iterable[Row], build: Callable[[list[Row]], M], key_column: str = "Number"
) -> Iterator[tuple[int, str, M | RowError]]:
    """For each record of `rows`: its first line, a text identifying its rows, and the
    record `build` makes of them or the reason it is invalid."""
    for group in _groups(rows, key_column):
        identity = "\x1e".join("\x1f".join(f"{k}={v}" for k, v in r.items()) for _, r in group)
        try:
            yield group[0][0], identity, build(group)
        except RowError as exc:
            yield group[0][0], identity, exc


def _booked_lines(group: list[Row], line_type: type[M]) -> list[M]:
    """The lines of an invoice or purchase: each may be booked to a project."""
    lines = []
    for _, row in group:
        fields = _line_fields(row)
        if fields is not None:
            project = _int(row, "LineProjectNumber")
            if project:
                fields["project_number"] = project
            lines.append(line_type(**fields))
    return lines


def _payable(group: list[Row], model: Callable[..., M], party: str, line_type: type[Any]) -> M:
    """An invoice (`party` ``Customer``) or a purchase (``Supplier``) from its rows."""
    first = group[0][1]
    return model(
        number=_int(first, "Number"),
        **{
            f"{party.lower()}_code": _text(first, f"{party}Code"),
            f"{party.lower()}_reference": _text(first, f"{party}Reference"),
        },
        issued_date=_date(first, "IssuedDate"),
        due_date=_date(first, "DueDate"),
        currency=_currency(first),
        line_items=_booked_lines(group, line_type),
    )


def _invoice(group: list[Row]) -> Invoice:
    return _payable(group, Invoice, "Customer", InvoiceLine)


def _purchase(group: list[Row]) -> Purchase:
    return _payable(group, Purchase, "Supplier", PurchaseLine)


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


def purchases_from_rows(rows: Iterable[Row]) -> Iterator[tuple[int, str, Purchase | RowError]]:
    """Purchases from CSV rows (see `_records`)."""
    return _records(rows, _purchase)


#: How a flat CSV column is read back: text, a whole number, a date, or a currency code.
_READERS: dict[str, Callable[[dict[str, str], str], Any]] = {
    "text": _text,
    "int": _int,
    "date": _date,
    "decimal": _decimal,
}


def flat_from_rows(
    model: type[M], fields: dict[str, tuple[str, str]], key_column: str
) -> Callable[[Iterable[Row]], Iterator[tuple[int, str, M | RowError]]]:
    """Records without lines from CSV rows, one row each: `fields` maps a column to the
    attribute it sets and how it is read (``text``, ``int``, ``date``, ``decimal``,
    ``currency``); the other columns (derived figures) are not sent."""

    def build(group: list[Row]) -> M:
        row = group[0][1]
        values: dict[str, Any] = {}
        for column, (attr, how) in fields.items():
            value = _currency(row) if how == "currency" else _READERS[how](row, column)
            if value is not None:
                values[attr] = value
        return model(**values)

    def read(rows: Iterable[Row]) -> Iterator[tuple[int, str, M | RowError]]:
        return _records(rows, build, key_column)

    return read
