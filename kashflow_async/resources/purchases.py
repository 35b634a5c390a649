"""Purchases (only their bulk payments so far)."""

from __future__ import annotations

from .bulk_payments import PurchaseBulkPayments

__all__ = ["Purchases"]


class Purchases:
    """The purchases side of the API (only its bulk payments so far)."""

    __slots__ = ("bulk_payments",)

    def __init__(self, bulk_payments: PurchaseBulkPayments) -> None:
        self.bulk_payments = bulk_payments

    def __repr__(self) -> str:
        return "<Purchases>"
