"""Enumerations for the documented closed sets."""

from __future__ import annotations

from enum import Enum, IntEnum

__all__ = [
    "CreditType",
    "CustomerSortField",
    "InvoiceFilter",
    "InvoiceSortField",
    "InvoiceStatus",
    "ProjectStatus",
    "PurchaseSortField",
    "PurchaseType",
    "QuoteSortField",
    "SortOrder",
    "SupplierSortField",
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


class CustomerSortField(WireEnum):
    """Columns a customer list can be sorted by (``sortby``)."""

    CODE = "Code"
    NAME = "Name"
    TOTAL_PAID_AMOUNT = "TotalPaidAmount"
    OUTSTANDING_BALANCE = "OutstandingBalance"


class SupplierSortField(WireEnum):
    """Columns a supplier list can be sorted by (``sortby``)."""

    CODE = "Code"
    NAME = "Name"
    TOTAL_PAID_AMOUNT = "TotalPaidAmount"
    OUTSTANDING_BALANCE = "OutstandingBalance"


class PurchaseSortField(WireEnum):
    """Columns a purchase list can be sorted by (``sortby``)."""

    NUMBER = "Number"
    SUPPLIER_REFERENCE = "SupplierReference"
    SUPPLIER_NAME = "SupplierName"
    PURCHASE_DATE = "PurchaseDate"
    PAYMENT_DUE_DATE = "PaymentDueDate"
    GROSS_AMOUNT = "GrossAmount"
    NET_AMOUNT = "NetAmount"
    STATUS = "Status"
    PAID_DATE = "PaidDate"
    DUE_AMOUNT = "DueAmount"
    TYPE = "Type"
    PROJECT = "Project"
    VAT = "VAT"


class PurchaseType(WireEnum):
    """Kinds of purchase a list can be limited to (``type``)."""

    PURCHASE = "Purchase"
    EXPENSE = "Expense"


class ProjectStatus(IntEnum):
    """State of a project, sent as its number (``Status``); decoded from the number or
    from its name (``"Active"``)."""

    COMPLETE = 0
    ACTIVE = 1
    ARCHIVED = 2

    @classmethod
    def from_wire(cls, value: object) -> int | None:
        """The member for a number or a name (any letter case; ``Completed`` too); an
        unknown number stays a plain int; None and ``""`` give None. Raises
        `ValueError` for an unknown name."""
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(f"expected a project status, got {value!r}")
        if isinstance(value, str):
            text = value.strip()
            if text.lstrip("-").isdigit():
                value = int(text)
            else:
                name = text.upper().removesuffix("D") if text.upper() == "COMPLETED" else text
                try:
                    return cls[name.upper()]
                except KeyError:
                    names = ", ".join(m.name.capitalize() for m in cls)
                    raise ValueError(f"project status {value!r} is not one of {names}") from None
        if isinstance(value, int):
            try:
                return cls(value)
            except ValueError:
                return value
        raise ValueError(f"expected a project status, got {value!r}")
