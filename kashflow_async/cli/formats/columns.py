"""Columns: how each kind of record reads as named cells, for tables and CSV.

Money, rates and quantities are written exactly as the server sent them (``Decimal``
text), dates as ``YYYY-MM-DD HH:MM:SS``, enums as their wire value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

from ...models import (
    BulkPayment,
    BulkPaymentItem,
    Conversion,
    Credit,
    Currency,
    Customer,
    Invoice,
    Nominal,
    Project,
    Purchase,
    Quote,
    Supplier,
    format_date,
)

__all__ = [
    "CONVERSION_COLUMNS",
    "CREDIT_COLUMNS",
    "CUSTOMER_COLUMNS",
    "CUSTOMER_TABLE",
    "INVOICE_COLUMNS",
    "INVOICE_TABLE",
    "LINE_COLUMNS",
    "LINE_TABLE",
    "NOMINAL_COLUMNS",
    "PAYMENT_COLUMNS",
    "PAYMENT_ITEM_COLUMNS",
    "PROJECT_COLUMNS",
    "PROJECT_TABLE",
    "PURCHASE_COLUMNS",
    "PURCHASE_TABLE",
    "QUOTE_COLUMNS",
    "QUOTE_TABLE",
    "SUPPLIER_COLUMNS",
    "SUPPLIER_TABLE",
    "Column",
    "cell",
    "row_of",
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

#: Columns of a purchase (summary) row.
PURCHASE_COLUMNS: list[Column[Purchase]] = [
    Column("Number", lambda p: p.number, True),
    Column("SupplierCode", lambda p: p.supplier_code),
    Column("SupplierName", lambda p: p.supplier_name),
    Column("SupplierReference", lambda p: p.supplier_reference),
    Column("IssuedDate", lambda p: p.issued_date),
    Column("DueDate", lambda p: p.due_date),
    Column("Status", lambda p: p.status),
    Column("Currency", lambda p: _code(p.currency)),
    Column("NetAmount", lambda p: p.net_amount, True),
    Column("VATAmount", lambda p: p.vat_amount, True),
    Column("GrossAmount", lambda p: p.gross_amount, True),
    Column("TotalPaidAmount", lambda p: p.total_paid_amount, True),
]

#: Columns of a customer row (list, CSV and the detail table).
CUSTOMER_COLUMNS: list[Column[Customer]] = [
    Column("Code", lambda c: c.code),
    Column("Name", lambda c: c.name),
    Column("Email", lambda c: c.email),
    Column("VatNumber", lambda c: c.vat_number),
    Column("Currency", lambda c: _code(c.currency)),
    Column("InvoiceCount", lambda c: c.invoice_count, True),
    Column("TotalPaidAmount", lambda c: c.total_paid_amount, True),
    Column("OutstandingBalance", lambda c: c.outstanding_balance, True),
]

#: Columns of a supplier row.
SUPPLIER_COLUMNS: list[Column[Supplier]] = [
    Column("Code", lambda s: s.code),
    Column("Name", lambda s: s.name),
    Column("VatNumber", lambda s: s.vat_number),
    Column("Currency", lambda s: _code(s.currency)),
    Column("TotalPaidAmount", lambda s: s.total_paid_amount, True),
    Column("OutstandingBalance", lambda s: s.outstanding_balance, True),
]

#: Columns of a project row.
PROJECT_COLUMNS: list[Column[Project]] = [
    Column("Number", lambda p: p.number, True),
    Column("Name", lambda p: p.name),
    Column("Reference", lambda p: p.reference),
    Column("CustomerCode", lambda p: p.customer_code),
    Column("StatusName", lambda p: p.status_name),
    Column("StartDate", lambda p: p.start_date),
    Column("EndDate", lambda p: p.end_date),
    Column("TargetSalesAmount", lambda p: p.target_sales_amount, True),
    Column("ActualSalesAmount", lambda p: p.actual_sales_amount, True),
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

#: Columns of the purchase table.
PURCHASE_TABLE: list[Column[Purchase]] = [
    Column("Number", lambda p: p.number, True),
    Column("Supplier", lambda p: p.supplier_code),
    Column("Reference", lambda p: p.supplier_reference),
    Column("Issued", lambda p: _day(p.issued_date)),
    Column("Due", lambda p: _day(p.due_date)),
    Column("Status", lambda p: p.status),
    Column("Gross", lambda p: p.gross_amount, True),
    Column("Paid", lambda p: p.total_paid_amount, True),
]

#: Columns of the customer table.
CUSTOMER_TABLE: list[Column[Customer]] = [
    Column("Code", lambda c: c.code),
    Column("Name", lambda c: c.name),
    Column("Invoices", lambda c: c.invoice_count, True),
    Column("Paid", lambda c: c.total_paid_amount, True),
    Column("Balance", lambda c: c.outstanding_balance, True),
]

#: Columns of the supplier table.
SUPPLIER_TABLE: list[Column[Supplier]] = [
    Column("Code", lambda s: s.code),
    Column("Name", lambda s: s.name),
    Column("Paid", lambda s: s.total_paid_amount, True),
    Column("Balance", lambda s: s.outstanding_balance, True),
]

#: Columns of the project table.
PROJECT_TABLE: list[Column[Project]] = [
    Column("Number", lambda p: p.number, True),
    Column("Name", lambda p: p.name),
    Column("Customer", lambda p: p.customer_code),
    Column("Status", lambda p: p.status_name),
    Column("Start", lambda p: _day(p.start_date)),
    Column("Target", lambda p: p.target_sales_amount, True),
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


#: Columns of a bulk payment (its own fields).
PAYMENT_COLUMNS: list[Column[BulkPayment]] = [
    Column("Number", lambda p: p.number, True),
    Column("Date", lambda p: p.date),
    Column("Comment", lambda p: p.comment),
    Column("AccountId", lambda p: p.account_id, True),
    Column("Method", lambda p: p.method, True),
    Column("Reconciled", lambda p: p.reconciled),
]

#: Columns of one bulk payment item.
PAYMENT_ITEM_COLUMNS: list[Column[BulkPaymentItem]] = [
    Column("Id", lambda i: i.id, True),
    Column("ObjectNumber", lambda i: i.object_number, True),
    Column("Contact", lambda i: i.contact_name),
    Column("Amount", lambda i: i.amount, True),
]

#: Columns of a customer credit.
CREDIT_COLUMNS: list[Column[Credit]] = [
    Column("Type", lambda c: c.type),
    Column("Id", lambda c: c.id, True),
    Column("Date", lambda c: _day(c.date)),
    Column("Amount", lambda c: c.amount, True),
    Column("Comment", lambda c: c.comment),
]

#: Columns of a quote conversion.
CONVERSION_COLUMNS: list[Column[Conversion]] = [
    Column("Quote", lambda c: c.quote_number, True),
    Column("Invoice", lambda c: c.invoice_number, True),
]


#: Columns of a nominal code (list output).
NOMINAL_COLUMNS: list[Column[Nominal]] = [
    Column("Code", lambda n: n.code, True),
    Column("Name", lambda n: n.name),
    Column("Type", lambda n: n.type),
    Column("VATRate", lambda n: n.vat_rate, True),
    Column("Archived", lambda n: n.archived),
]


def row_of(columns: Sequence[Column[R]], record: R) -> list[str]:
    """The record's cells for `columns`."""
    return [cell(c.get(record)) for c in columns]
