"""Enumerations for the documented closed sets."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "CreditType",
    "InvoiceFilter",
    "InvoiceSortField",
    "InvoiceStatus",
    "QuoteSortField",
    "SortOrder",
    "WireEnum",
]


class WireEnum(str, Enum):
    """A closed set of wire values; ``str()`` and f-strings give the wire value (``Paid``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


class InvoiceStatus(WireEnum):
    """Payment status of an invoice (``NA``: the invoice amount is zero)."""

    UNPAID = "Unpaid"
    PAID = "Paid"
    OVERPAID = "Overpaid"
    OVERDUE = "Overdue"
    NA = "NA"


class CreditType(WireEnum):
    """Kind of a customer credit; it decides what `Credit.id` identifies."""

    OVER_PAYMENT = "OverPayment"  #: id is the invoice payment's id
    ADVANCE_PAYMENT = "AdvancePayment"  #: id is the bank transaction's id
    CREDIT_NOTE = "CreditNote"  #: id is the credit note's invoice id


class SortOrder(WireEnum):
    """Sort direction of a list."""

    ASC = "Asc"
    DESC = "Desc"


class InvoiceSortField(WireEnum):
    """Columns an invoice list can be sorted by (``sortby``)."""

    NUMBER = "Number"
    CUSTOMER_REF = "CustomerRef"
    CUSTOMER_NAME = "CustomerName"
    INVOICE_DATE = "InvoiceDate"
    PAYMENT_DUE_DATE = "PaymentDueDate"
    GROSS_AMOUNT = "GrossAmount"
    NET_AMOUNT = "NetAmount"
    STATUS = "Status"


class InvoiceFilter(WireEnum):
    """Invoice list filters (``filterby``, the client's ``status=``)."""

    ALL = "All"
    UNPAID = "Unpaid"
    OVERDUE = "Overdue"
    OVERPAID = "Overpaid"
    PAID = "Paid"
    THIS_MONTH = "ThisMonth"
    LAST_MONTH = "LastMonth"


class QuoteSortField(WireEnum):
    """Columns a quote list can be sorted by (``sortby``)."""

    NUMBER = "Number"
    CATEGORY_NAME = "CategoryName"
    REFERENCE = "Reference"
    CUSTOMER_NAME = "CustomerName"
    DATE = "Date"
    NET_AMOUNT = "NetAmount"
