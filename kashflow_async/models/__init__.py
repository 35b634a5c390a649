"""msgspec models of every object of the KashFlow REST API v2."""

from ._base import (
    Code,
    Model,
    TopLevel,
    WireDate,
    WireDateTime,
    format_date,
    parse_date,
    wire_name,
)
from .auth import LoginChallenge, LoginRequest, MemorableWordPosition, SessionToken
from .common import Address, Category, Currency, ErrorBody, Page, PageMeta
from .credits import Conversion, Credit
from .enums import (
    CreditType,
    InvoiceFilter,
    InvoiceSortField,
    InvoiceStatus,
    QuoteSortField,
    SortOrder,
)
from .invoices import Invoice, InvoiceLine, LineBase, PaymentLine, ReminderLetter
from .payments import BulkPayment, BulkPaymentItem, ExportDetails
from .quotes import Quote, QuoteLine

__all__ = [
    "Address",
    "BulkPayment",
    "BulkPaymentItem",
    "Category",
    "Code",
    "Conversion",
    "Credit",
    "CreditType",
    "Currency",
    "ErrorBody",
    "ExportDetails",
    "Invoice",
    "InvoiceFilter",
    "InvoiceLine",
    "InvoiceSortField",
    "InvoiceStatus",
    "LineBase",
    "LoginChallenge",
    "LoginRequest",
    "MemorableWordPosition",
    "Model",
    "Page",
    "PageMeta",
    "PaymentLine",
    "Quote",
    "QuoteLine",
    "QuoteSortField",
    "ReminderLetter",
    "SessionToken",
    "SortOrder",
    "TopLevel",
    "WireDate",
    "WireDateTime",
    "format_date",
    "parse_date",
    "wire_name",
]
