"""The account's reference data, kept as plain records: customers, suppliers, bank
accounts, payment methods, purchases, stored credits and the settings the rules read.

Invoices, quotes and bulk payments are stored as the model objects decoded from the
request, with the server's fields filled in (see `state`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..models import Address, CreditType, PaymentLine
from .money import ZERO, q4

__all__ = [
    "INVOICES",
    "PURCHASES",
    "AccountSettings",
    "BankAccount",
    "BulkKind",
    "CreditRecord",
    "Customer",
    "PaymentMethod",
    "Purchase",
    "Supplier",
    "code_key",
]

#: ``{objecttype}`` of the bulk-payment URLs.
BulkKind = Literal["invoices", "purchases"]
INVOICES: BulkKind = "invoices"
PURCHASES: BulkKind = "purchases"


def code_key(code: str | None) -> str:
    """A customer or supplier code as the API matches it (case and spaces ignored)."""
    return (code or "").strip().lower()


@dataclass
class Customer:
    """A customer; invoices and quotes refer to it by `code`."""

    id: int
    code: str
    name: str
    email: str = ""
    address: Address | None = None
    payment_terms_days: int = 30


@dataclass
class Supplier:
    """A supplier; purchases refer to it by `code`."""

    id: int
    code: str
    name: str
    email: str = ""


@dataclass
class BankAccount:
    """A bank account, with its own transaction lock date (payments on or before it are
    locked)."""

    id: int
    name: str
    lock_date: dt.date | None = None


@dataclass
class PaymentMethod:
    """A payment method (``Method`` of payments)."""

    id: int
    name: str


@dataclass
class Purchase:
    """A minimal purchase invoice, so that purchase bulk payments are real."""

    id: int
    number: int
    supplier_code: str
    supplier_name: str
    reference: str
    issued_date: dt.datetime
    gross_amount: Decimal
    payment_lines: list[PaymentLine] = field(default_factory=list)

    @property
    def total_paid(self) -> Decimal:
        """Sum of the payments made against this purchase."""
        return q4(sum((p.amount or ZERO for p in self.payment_lines), ZERO))


@dataclass
class CreditRecord:
    """A stored advance payment or credit note of a customer (overpayments are derived from
    overpaid invoices instead)."""

    id: int
    customer_code: str
    type: CreditType
    amount: Decimal
    date: dt.datetime
    comment: str


@dataclass
class AccountSettings:
    """Account-wide settings the rules depend on."""

    #: payments dated on or before this date are locked (None: no lock)
    transaction_lock_date: dt.date | None = None
    #: whether converted quotes are kept when ``retainafterconversion`` is absent
    retain_quotes_after_conversion: bool = True
    #: VAT level (percent) of a line that gives none
    default_vat_level: Decimal = Decimal(20)
    default_bank_account_id: int = 0
    default_payment_method_id: int = 0
    #: whether invoices and quotes are served with undeclared members, as a newer server
    #: would send them (see `extras`)
    extra_members: bool = False
