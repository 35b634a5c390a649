"""The account's reference data, kept as plain records: bank accounts, payment methods,
stored credits and the settings the rules read.

Customers, suppliers, invoices, quotes, purchases, projects and bulk payments are stored
as the model objects decoded from the request, with the server's fields filled in (see
`state`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..models import CreditType

__all__ = [
    "INVOICES",
    "PURCHASES",
    "AccountSettings",
    "BankAccount",
    "BulkKind",
    "CreditRecord",
    "PaymentMethod",
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
    #: ``GET /projects`` answers a bare ``array`` of every project, or ``paged``
    project_list: str = "array"
    #: one project is at ``/projects/{number}`` or (``project``) ``/project/{number}``
    project_path: str = "projects"
