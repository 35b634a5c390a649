"""Customer credits and quote-to-invoice conversions."""

from __future__ import annotations

from decimal import Decimal

from ._base import Model, WireDateTime
from .enums import CreditType

__all__ = ["Conversion", "Credit"]


class Credit(Model):
    """A credit a customer holds, to apply to an invoice.

    What ``id`` identifies depends on ``type``: the bank transaction (advance payment),
    the credit note's invoice (credit note) or the invoice payment (overpayment).
    """

    id: int | None = None
    amount: Decimal | None = None
    date: WireDateTime | None = None
    type: CreditType | None = None
    comment: str | None = None


class Conversion(Model):
    """A quote converted to an invoice."""

    quote_number: int | None = None
    invoice_number: int | None = None
