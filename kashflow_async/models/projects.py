"""Projects (jobs that sales, purchases and bank lines are booked to)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import msgspec

from ._base import TopLevel, WireDateTime
from .enums import ProjectStatus

__all__ = ["Project"]

if TYPE_CHECKING:
    _Status = ProjectStatus | int
    _Flag = int
else:  # what the sources send: a number or a name; a number or a boolean
    _Status = int | str
    _Flag = int | bool


class Project(TopLevel):
    """A project, identified by its ``number``.

    ``status`` is a `ProjectStatus` (0 complete, 1 active, 2 archived), sent as its
    number; a named status (``"Active"``) decodes too. ``exclude_vat`` is 0 or 1 (a
    boolean decodes as 1 or 0). ``customer_code`` links it to a customer. Money is
    `Decimal`.
    """

    id: int | None = None
    number: int | None = None
    name: str | None = None
    reference: str | None = None
    description: str | None = None
    note: str | None = None
    customer_id: int | None = None
    customer_code: str | None = None
    customer_name: str | None = None
    start_date: WireDateTime | None = None
    end_date: WireDateTime | None = None
    status: _Status | None = None
    status_name: str | None = None
    exclude_vat: _Flag | None = None
    associated_quotes_count: int | None = None
    target_sales_amount: Decimal | None = None
    target_purchases_amount: Decimal | None = None
    actual_sales_amount: Decimal | None = None
    actual_purchases_amount: Decimal | None = None
    actual_journals_amount: Decimal | None = None
    actual_sales_vat_amount: Decimal | None = None
    actual_purchases_vat_amount: Decimal | None = None
    actual_bank_transaction_amount: Decimal | None = None
    vat_amount_bank_transactions: Decimal | None = msgspec.field(
        default=None, name="VatAmountBankTransactions"
    )
    work_in_progress_amount: Decimal | None = None
    actual_income: Decimal | None = None
    actual_expenditure: Decimal | None = None
    margin: Decimal | None = None

    def __post_init__(self) -> None:
        self.status = ProjectStatus.from_wire(self.status)
        if isinstance(self.exclude_vat, (bool, str)):
            self.exclude_vat = _flag(self.exclude_vat)


def _flag(value: bool | str) -> int | None:
    """0 or 1 for a boolean or its text (``"true"``, ``"0"``); None for ``""``."""
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return 1
    if text in ("false", "0"):
        return 0
    if not text:
        return None
    raise ValueError(f"expected 0, 1, true or false, got {value!r}")
